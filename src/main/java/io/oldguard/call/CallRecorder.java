package io.oldguard.call;

/**
 * Hears of every decoded call once its outcome is known (the audit step), for traffic capture. Called on the
 * call's own thread: an implementation must hand the work off and return at once.
 */
@FunctionalInterface
public interface CallRecorder {

    CallRecorder NONE = (call, transport, outcome, decidedBy) -> { };

    /** The transports' names, as the capture file records them. */
    String JSON = "json";
    String MCP = "mcp";
    String SOAP = "soap";

    /**
     * @param transport how the call arrived: {@code json}, {@code mcp} or {@code soap}
     * @param outcome   the audit line's outcome ({@code ok} or the refusal's)
     * @param decidedBy the refusing guard's name, or {@code backend}
     */
    void record(ToolCall call, String transport, String outcome, String decidedBy);
}
