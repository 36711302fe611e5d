package io.oldguard.audit;

/** Every stable log event name, in one file, so alerts and log queries can rely on them. */
public final class Events {

    /** One line per tool call: the decision, which guard made it, the outcome and latency. */
    public static final String CALL = "call";
    /** A request refused before it became a tool call (malformed, too large, unknown route). */
    public static final String REQUEST_REJECTED = "request.rejected";
    /** CRITICAL: an agent sent arguments the contract or policy forbids and is halted. */
    public static final String AGENT_HALTED = "agent.halted";
    /** CRITICAL: an agent's valid-looking calls kept failing at the backend (guessing) and it is halted. */
    public static final String AGENT_HALTED_ERROR_STREAK = "agent.halted.error_streak";
    /** An operator halted an agent by hand. */
    public static final String AGENT_HALTED_MANUAL = "agent.halted.manual";
    public static final String AGENT_RELEASED = "agent.released";
    /** WARN: an agent halted before a restart, read back from the halts file at start: it stays halted. */
    public static final String AGENT_HALT_RESTORED = "agent.halt_restored";
    /** WARN: a call refused for its arguments without halting (reject, or a strike below the limit). */
    public static final String VALIDATION_REJECTED = "validation.rejected";
    /** WARN: a rule in observe mode would have refused this call; it was let through. */
    public static final String VALIDATION_OBSERVED = "validation.observed";
    public static final String HALTS_NOT_PERSISTED = "halts.not_persisted";
    /** WARN: a backend's circuit breaker changed state. */
    public static final String BREAKER_TRANSITION = "breaker.transition";
    /** WARN: a SQL tool could not be checked against its database at start (database unreachable). */
    public static final String SQL_TOOL_UNVERIFIED = "sql.tool.unverified";
    /** WARN: a SQL tool's call failed in the database; the full error (or, without a connection, its cause). */
    public static final String SQL_ERROR = "sql.error";
    /** WARN: a new policy set is in force. */
    public static final String POLICY_RELOADED = "policy.reloaded";
    /** ERROR: policy files changed but do not load; the previous set stays in force. */
    public static final String POLICY_RELOAD_FAILED = "policy.reload_failed";
    /** WARN: sidecar.yaml changed in settings that only a restart applies (ports, backends, ...); they are not in force. */
    public static final String CONFIG_RESTART_REQUIRED = "config.restart_required";
    /** WARN: a reload skipped a policy's grants to an agent it removed from sidecar.yaml. */
    public static final String POLICY_GRANT_SKIPPED = "policy.grant_skipped";
    /** A reload applied edited backend-wide limits (rate, maxWait, queue bounds) to a running backend. */
    public static final String BACKEND_LIMITS_CHANGED = "backend.limits_changed";
    /** ERROR: fleet mode's Redis cannot be reached; limits fall back to local shares (or refuse), halts queue up. */
    public static final String STORE_UNAVAILABLE = "store.unavailable";
    /** WARN: fleet mode's Redis answers again; shared limits apply and queued halts are written. */
    public static final String STORE_RECOVERED = "store.recovered";
    /** WARN: the shared store lost its data (a Redis restart); this sidecar wrote its halts again. */
    public static final String STORE_REPUBLISHED = "store.republished";
    /** WARN: an agent was halted or released by another sidecar of the fleet. */
    public static final String FLEET_HALT_APPLIED = "fleet.halt_applied";
    /** WARN: an address kept sending wrong admin tokens and is locked out for a while. */
    public static final String ADMIN_AUTH_THROTTLED = "admin.auth_throttled";
    /** ERROR: the capture file cannot be written (full disk, no permission); lines are dropped and counted, calls go on. */
    public static final String CAPTURE_FAILED = "capture.failed";
    /** WARN: the capture file is written again after a failure. */
    public static final String CAPTURE_RECOVERED = "capture.recovered";
    /** WARN: a call needs a human's approval and is held; nothing was sent. */
    public static final String APPROVAL_REQUESTED = "approval.requested";
    public static final String APPROVAL_APPROVED = "approval.approved";
    public static final String APPROVAL_DENIED = "approval.denied";
    /** A request nobody decided in time, or an approval its call did not use in time. */
    public static final String APPROVAL_EXPIRED = "approval.expired";
    /** An approval let its one call through. */
    public static final String APPROVAL_USED = "approval.used";
    /** WARN: the approvals webhook did not take a request (unreachable, timed out, not 2xx); the request still waits. */
    public static final String APPROVAL_WEBHOOK_FAILED = "approval.webhook_failed";
    /** WARN at start: pending and approved requests read back from the approvals file. */
    public static final String APPROVALS_RESTORED = "approvals.restored";
    public static final String APPROVALS_NOT_PERSISTED = "approvals.not_persisted";
    public static final String STARTED = "sidecar.started";
    public static final String STOPPED = "sidecar.stopped";
    public static final String BACKEND_REACHABILITY = "backend.reachability";
    public static final String INTERNAL_ERROR = "internal.error";
    /** An MCP notification stream closed by oldguard: its session was deleted, expired or evicted, or its agent removed. */
    public static final String MCP_STREAM_CLOSED = "mcp.stream.closed";

    private Events() {
    }
}
