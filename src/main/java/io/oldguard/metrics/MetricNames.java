package io.oldguard.metrics;

/** Every metric name and tag oldguard publishes, in one file, so dashboards, alerts and code agree. */
public final class MetricNames {

    /** Counter: tool calls by {@code agent}, {@code tool} and {@code outcome} ({@code ok} or a refusal's outcome). */
    public static final String CALLS = "oldguard.calls";
    /** Timer with histogram: time the backend took, by {@code backend}, {@code tool} and {@code outcome}. */
    public static final String BACKEND_LATENCY = "oldguard.backend.latency";
    /** Gauge: calls between decode and answer. */
    public static final String CALLS_IN_FLIGHT = "oldguard.calls.in.flight";
    /** Counter: requests refused before they became a tool call (bad JSON, too large, ...), by {@code outcome}. */
    public static final String REQUESTS_REJECTED = "oldguard.requests.rejected";
    /** Gauge: 1 when the backend answered the last reachability probe, by {@code backend}. */
    public static final String BACKEND_UP = "oldguard.backend.up";

    public static final String TAG_AGENT = "agent";
    public static final String TAG_TOOL = "tool";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_BACKEND = "backend";

    public static final String OUTCOME_OK = "ok";

    private MetricNames() {
    }
}
