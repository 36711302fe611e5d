package io.oldguard.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.Tool;
import java.time.Instant;
import java.util.Objects;

/**
 * The one shape every transport decodes a tool call into, so every guard applies identically whichever way
 * an agent arrives. Arguments are the JSON object the agent sent; they are read, never modified.
 *
 * @param deadline           the instant after which the call is abandoned
 * @param deadlineFromClient the client shortened the tool's deadline: running out of it says nothing about the
 *                           backend's health
 * @param original           the envelope a SOAP client sent, forwarded as it is; null when the backend builds the
 *                           request from the arguments (the arguments are then decoded from this envelope)
 */
public record ToolCall(String requestId, Caller caller, Tool tool, ObjectNode arguments, Instant receivedAt,
        Instant deadline, boolean deadlineFromClient, RawMessage original) {

    /** A call with the tool's own deadline. */
    public ToolCall(String requestId, Caller caller, Tool tool, ObjectNode arguments, Instant receivedAt, Instant deadline) {
        this(requestId, caller, tool, arguments, receivedAt, deadline, false, null);
    }

    /** A call whose request the backend builds from the arguments. */
    public ToolCall(String requestId, Caller caller, Tool tool, ObjectNode arguments, Instant receivedAt,
            Instant deadline, boolean deadlineFromClient) {
        this(requestId, caller, tool, arguments, receivedAt, deadline, deadlineFromClient, null);
    }

    public ToolCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
    }

    public ToolCall withTool(Tool newTool) {
        return new ToolCall(requestId, caller, newTool, arguments, receivedAt, deadline, deadlineFromClient, original);
    }

    /** The agent's id; only valid after the identity guard allowed the call. */
    public String agent() {
        if (caller instanceof Caller.Agent a) {
            return a.id();
        }
        throw new IllegalStateException("call " + requestId + " has no authenticated agent");
    }

    /** For metrics and logs, where an anonymous caller is still counted. */
    public String agentLabel() {
        return caller instanceof Caller.Agent a ? a.id() : "anonymous";
    }
}
