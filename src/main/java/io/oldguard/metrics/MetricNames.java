package io.oldguard.metrics;

/** Every metric name and tag oldguard publishes, in one file, so dashboards, alerts and code agree. */
public final class MetricNames {

    /** Counter: tool calls by {@code agent}, {@code tool} and {@code outcome} ({@code ok} or a refusal's outcome). */
    public static final String CALLS = "oldguard.calls";
    /** Timer with histogram: time the backend took, by {@code backend}, {@code tool} and {@code outcome}. */
    public static final String BACKEND_LATENCY = "oldguard.backend.latency";
    /** Gauge: calls between decode and answer. */
    public static final String CALLS_IN_FLIGHT = "oldguard.calls.in.flight";
    /**
     * Timer with histogram: the latency oldguard adds to a call, by {@code tool}: from the request's arrival to its
     * answer, less the time spent at the backend (waiting for a turn there included: that is {@link #QUEUE_WAIT}).
     */
    public static final String CALL_OVERHEAD = "oldguard.call.overhead";
    /** Counter: requests refused before they became a tool call (bad JSON, too large, ...), by {@code outcome}. */
    public static final String REQUESTS_REJECTED = "oldguard.requests.rejected";
    /** Gauge: 1 when the backend answered the last reachability probe, by {@code backend}. */
    public static final String BACKEND_UP = "oldguard.backend.up";

    /** Counter: arguments refused by validation, by {@code tool} and {@code rule}. */
    public static final String VALIDATION_FAILURES = "oldguard.validation.failures";
    /** Counter: violations of rules in observe mode that were let through, by {@code tool} and {@code rule}. */
    public static final String VALIDATION_WOULD_REFUSE = "oldguard.validation.would.refuse";
    /** Counter: agents halted, by {@code reason}. */
    public static final String HALTS = "oldguard.halts";
    /** Gauge: agents halted right now. */
    public static final String AGENTS_HALTED = "oldguard.agents.halted";

    /** Gauge: calls per second the backend's leaky bucket lets through ({@code limits.rate}), by backend; NaN without one. */
    public static final String BACKEND_RATE_LIMIT = "oldguard.backend.rate.limit";
    /** Counter: calls refused by a limit, by {@code scope} (agent, tool, backend), agent and tool. */
    public static final String LIMIT_REJECTIONS = "oldguard.limit.rejections";
    /**
     * Timer with histogram: time a call waited for its turn at the backend (shaping and connections), by backend
     * and agent.
     */
    public static final String QUEUE_WAIT = "oldguard.backend.queue.wait";
    /** Gauge: calls in flight to the backend (holding a connection), by backend. */
    public static final String BACKEND_IN_FLIGHT = "oldguard.backend.in.flight";
    /** Gauge: calls waiting for their turn at the backend, by backend. */
    public static final String BACKEND_QUEUED = "oldguard.backend.queued";
    /** Gauge: agents with calls waiting at the backend, between which its rate is shared fairly, by backend. */
    public static final String BACKEND_FAIR_AGENTS = "oldguard.backend.fair.agents";
    /** Counter: tokens the backend's shaper gave each agent, by backend and agent: rate() over the sum is its share. */
    public static final String BACKEND_FAIR_TOKENS = "oldguard.backend.fair.tokens";
    /** Gauge: breaker state by backend: 0 closed, 1 open, 2 half-open. */
    public static final String BREAKER_STATE = "oldguard.breaker.state";
    /** Counter: breaker transitions by backend, {@code from} and {@code to}. */
    public static final String BREAKER_TRANSITIONS = "oldguard.breaker.transitions";

    /** Gauge: connections open on a listener, by {@code listener} ({@code agent}, {@code admin}). */
    public static final String CONNECTIONS_OPEN = "oldguard.connections.open";
    /**
     * Counter: connections a listener refused or closed to protect itself, by {@code listener} and {@code reason}
     * ({@code refused}: at the cap with every connection busy; {@code evicted}: an idle one closed to make room at
     * the cap; {@code request_timeout}: a request did not arrive whole in time).
     */
    public static final String CONNECTIONS_DROPPED = "oldguard.connections.dropped";

    /** Counter: policy reloads by {@code result} ({@code applied} or {@code failed}). */
    public static final String POLICY_RELOADS = "oldguard.policy.reloads";
    /** Gauge: 1 when the last policy reload applied, 0 when it was refused and an older set is still in force. */
    public static final String POLICY_LAST_RELOAD_OK = "oldguard.policy.last.reload.ok";

    /** Timer with histogram: time of shared store (Redis) operations in fleet mode, by {@code op}. */
    public static final String STORE_LATENCY = "oldguard.store.latency";
    /** Counter: shared store operations that failed or timed out, by {@code op}. */
    public static final String STORE_ERRORS = "oldguard.store.errors";
    /** Gauge: 1 while the shared store is away and the fallback ({@code cluster.fallback}) is in force. */
    public static final String STORE_FALLBACK = "oldguard.store.fallback";
    /** Gauge: fleet in-flight leases this sidecar holds, by {@code backend}. */
    public static final String STORE_LEASES = "oldguard.store.leases";
    /** Gauge: halts and releases decided here and not yet written to the shared store. */
    public static final String STORE_HALTS_PENDING = "oldguard.store.halts.pending";

    /** Counter: calls written to the capture file ({@code capture:} in sidecar.yaml). */
    public static final String CAPTURE_LINES = "oldguard.capture.lines";
    /**
     * Counter: calls not written to the capture file, by {@code reason}: {@code queue_full} (the writer fell behind)
     * or {@code write_failed} (full disk, unwritable file). The calls themselves went on.
     */
    public static final String CAPTURE_DROPPED = "oldguard.capture.dropped";
    /** Gauge: calls held for a human's approval, not yet decided or expired. */
    public static final String APPROVALS_PENDING = "oldguard.approvals.pending";
    /**
     * Counter: approval events by {@code decision}: {@code requested} (a call held), {@code approved}, {@code denied},
     * {@code expired}, {@code used} (an approval let its call through).
     */
    public static final String APPROVALS = "oldguard.approvals";

    public static final String TAG_AGENT = "agent";
    public static final String TAG_SCOPE = "scope";
    public static final String TAG_RULE = "rule";
    public static final String TAG_REASON = "reason";
    public static final String TAG_TOOL = "tool";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_BACKEND = "backend";
    public static final String TAG_RESULT = "result";
    public static final String TAG_OP = "op";
    public static final String TAG_LISTENER = "listener";
    public static final String TAG_DECISION = "decision";

    public static final String OUTCOME_OK = "ok";

    private MetricNames() {
    }
}
