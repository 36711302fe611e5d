package io.oldguard.admission;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.call.CallResult;
import io.oldguard.config.BreakerSettings;
import io.oldguard.metrics.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's circuit breaker (Resilience4j, count-based window, on the injected clock). It classifies outcomes:
 * the backend failing — server faults, timeouts, connection errors, unreadable answers, HTTP 5xx and 429, a
 * database that is unreachable, too slow or erroring — counts against it; the legacy service refusing a request
 * (a SOAP Client fault such as "not found", a lock timeout or constraint on one row) does not, nor does a call
 * the client abandoned. While open every call fails fast; {@link #retryAfter} says when the next probe may go.
 * A {@code Retry-After} from the legacy service itself opens it for exactly that long.
 */
final class BackendBreaker {

    private static final Logger LOG = LoggerFactory.getLogger(BackendBreaker.class);
    // Lock timeouts, conflicts and constraint errors are contention on single rows, not a failing database.
    static final Set<String> BACKEND_FAILURES = Set.of("soap_server_fault", "backend_timeout", "backend_unavailable",
            "backend_throttled", "bad_gateway", "db_unavailable", "db_timeout", "db_error");
    private static final String CANCELLED = "cancelled";

    private final CircuitBreaker breaker;
    private final Clock clock;
    private final Duration openFor;
    private volatile Instant openUntil = Instant.MIN;

    BackendBreaker(String backend, BreakerSettings settings, Clock clock, MeterRegistry metrics) {
        this.clock = clock;
        this.openFor = settings.openFor();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRate())
                .slowCallRateThreshold(settings.slowCallRate())
                .slowCallDurationThreshold(settings.slowCall())
                .slidingWindow(settings.window(), settings.minimumCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(settings.probes())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordResult(result -> result instanceof CallResult.Failure f
                        && BACKEND_FAILURES.contains(f.refusal().outcome()))
                .clock(clock)
                .build();
        this.breaker = CircuitBreaker.of(backend, config);
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.State to = event.getStateTransition().getToState();
            if (to == CircuitBreaker.State.OPEN) {
                openUntil = clock.instant().plus(openFor);
            }
            Counter.builder(MetricNames.BREAKER_TRANSITIONS).description("Circuit breaker transitions")
                    .tags(MetricNames.TAG_BACKEND, backend, "from", event.getStateTransition().getFromState().name().toLowerCase(),
                            "to", to.name().toLowerCase())
                    .register(metrics).increment();
            LOG.warn("breaker of {} is now {}", backend, to, kv("event", Events.BREAKER_TRANSITION),
                    kv("backend", backend), kv("from", event.getStateTransition().getFromState().name()),
                    kv("to", to.name()));
        });
        Gauge.builder(MetricNames.BREAKER_STATE, breaker, b -> switch (b.getState()) {
                    case CLOSED, DISABLED, METRICS_ONLY -> 0;
                    case OPEN, FORCED_OPEN -> 1;
                    case HALF_OPEN -> 2;
                }).description("Circuit breaker state: 0 closed, 1 open, 2 half-open")
                .tag(MetricNames.TAG_BACKEND, backend).register(metrics);
    }

    /** False while open (or while half-open with every probe out): the call must fail fast. */
    boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    /** For a call that acquired permission but never reached the backend. */
    void release() {
        breaker.releasePermission();
    }

    void record(CallResult result, Duration took) {
        if (result instanceof CallResult.Failure f && CANCELLED.equals(f.refusal().outcome())) {
            breaker.releasePermission();
            return;
        }
        breaker.onResult(took.toNanos(), TimeUnit.NANOSECONDS, result);
    }

    /** The legacy service asked for a pause: open for exactly that long, rather than retrying into it. */
    void holdFor(Duration pause) {
        if (breaker.getState() == CircuitBreaker.State.OPEN) {
            // Already failing fast; the breaker's own wait stands, the legacy service's pause is only reported.
            openUntil = later(openUntil, clock.instant().plus(pause));
            return;
        }
        breaker.transitionToOpenStateFor(pause);
        openUntil = clock.instant().plus(pause);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** How long until the next probe may go through; at least a second, so nobody retries at once. */
    Duration retryAfter() {
        Duration left = Duration.between(clock.instant(), openUntil);
        return left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left;
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }
}
