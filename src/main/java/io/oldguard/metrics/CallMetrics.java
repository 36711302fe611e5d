package io.oldguard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Records the outcome of calls; a thin layer so the call path names no Micrometer types. */
public final class CallMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    // Meters per label set, found again without building a meter id on every call; label values are bounded
    // (configured agents, catalogue tools, a fixed set of outcomes).
    private final Map<String, Counter> calls = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, Timer> overheads = new ConcurrentHashMap<>();

    public CallMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(MetricNames.CALLS_IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Tool calls between decode and answer, on every transport").register(registry);
    }

    public void started() {
        inFlight.incrementAndGet();
    }

    public void finished(String agent, String tool, String outcome) {
        inFlight.decrementAndGet();
        calls.computeIfAbsent(agent + '\u0000' + tool + '\u0000' + outcome, k -> Counter.builder(MetricNames.CALLS)
                .description("Tool calls by agent, tool and outcome")
                .tags(MetricNames.TAG_AGENT, agent, MetricNames.TAG_TOOL, tool, MetricNames.TAG_OUTCOME, outcome)
                .register(registry)).increment();
    }

    public void backendLatency(String backend, String tool, String outcome, Duration took) {
        latencies.computeIfAbsent(backend + '\u0000' + tool + '\u0000' + outcome, k -> Timer.builder(MetricNames.BACKEND_LATENCY)
                .description("Time the legacy backend took to answer")
                .tags(MetricNames.TAG_BACKEND, backend, MetricNames.TAG_TOOL, tool, MetricNames.TAG_OUTCOME, outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)).record(took);
    }

    /** @param took the call's time in oldguard: from its arrival to its answer, less its time at the backend */
    public void overhead(String tool, Duration took) {
        overheads.computeIfAbsent(tool, k -> Timer.builder(MetricNames.CALL_OVERHEAD)
                .description("Latency oldguard adds to a call (its time outside the backend)")
                .tag(MetricNames.TAG_TOOL, tool)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)).record(took);
    }

    public void rejected(String outcome) {
        Counter.builder(MetricNames.REQUESTS_REJECTED)
                .description("Requests refused before they became a tool call")
                .tag(MetricNames.TAG_OUTCOME, outcome)
                .register(registry)
                .increment();
    }
}
