package io.oldguard.audit;

/** Every stable log event name, in one file, so alerts and log queries can rely on them. */
public final class Events {

    /** One line per tool call: the decision, which guard made it, the outcome and latency. */
    public static final String CALL = "call";
    /** A request refused before it became a tool call (malformed, too large, unknown route). */
    public static final String REQUEST_REJECTED = "request.rejected";
    public static final String STARTED = "sidecar.started";
    public static final String STOPPED = "sidecar.stopped";
    public static final String BACKEND_REACHABILITY = "backend.reachability";
    public static final String INTERNAL_ERROR = "internal.error";

    private Events() {
    }
}
