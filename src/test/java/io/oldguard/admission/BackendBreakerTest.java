package io.oldguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.call.CallResult;
import io.oldguard.config.BreakerSettings;
import io.oldguard.guard.Refusals;
import io.oldguard.metrics.MetricNames;
import io.oldguard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Breaker transitions and outcome classification on fake time. */
class BackendBreakerTest {

    private static final CallResult OK = new CallResult.Success(JsonNodeFactory.instance.objectNode());
    private static final CallResult SERVER_FAULT = new CallResult.Failure(Refusals.soapFault("inv", "Server", "boom"));
    private static final CallResult CLIENT_FAULT = new CallResult.Failure(Refusals.soapFault("inv", "Client", "Item not found"));
    private static final Duration FAST = Duration.ofMillis(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    // Window of 10 calls, judged from 5, open at 10% failures for 10 s, 2 probes.
    private final BackendBreaker breaker = new BackendBreaker("inv",
            new BreakerSettings(10f, Duration.ofSeconds(2), 50f, 10, 5, Duration.ofSeconds(10), 2), clock, metrics);

    @Test
    void opensWhenTheFailureRateCrossesTheThreshold() {
        record(OK, 4);
        record(SERVER_FAULT, 1);

        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(metrics.get(MetricNames.BREAKER_STATE).gauge().value()).isEqualTo(1);
    }

    @Test
    void clientFaultsAreNotBackendFailures() {
        record(CLIENT_FAULT, 10);

        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void slowCallsOpenItToo() {
        for (int i = 0; i < 5; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.record(OK, Duration.ofSeconds(3));
        }

        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void halfOpensAfterTheWaitAndClosesWhenProbesSucceed() {
        record(SERVER_FAULT, 5);
        clock.advance(Duration.ofSeconds(9));
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofMillis(1001));

        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).as("only two probes").isFalse();
        breaker.record(OK, FAST);
        breaker.record(OK, FAST);

        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(metrics.counter(MetricNames.BREAKER_TRANSITIONS, MetricNames.TAG_BACKEND, "inv",
                "from", "half_open", "to", "closed").count()).isEqualTo(1);
    }

    @Test
    void aFailedProbeReopensIt() {
        record(SERVER_FAULT, 5);
        clock.advance(Duration.ofMillis(10_001));
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).isTrue();

        breaker.record(SERVER_FAULT, FAST);
        breaker.record(OK, FAST);

        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void theLegacyServicesRetryAfterHoldsCallsBackForThatLong() {
        breaker.holdFor(Duration.ofSeconds(30));

        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        clock.advance(Duration.ofMillis(30_001));
        assertThat(breaker.tryAcquire()).isTrue();
    }

    @Test
    void aCancelledCallCountsForNothing() {
        for (int i = 0; i < 10; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.record(new CallResult.Failure(Refusals.cancelled()), FAST);
        }

        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    private void record(CallResult result, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.record(result, FAST);
        }
    }
}
