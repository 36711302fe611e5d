package io.oldguard.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.guard.Refusal;
import io.oldguard.http.HttpResponses;

/**
 * How a {@link io.oldguard.guard.Refusal} reads over MCP, decided here and nowhere else. A refusal the model can
 * correct by changing its arguments (422: the Fixed Format Error, the legacy service refusing the item) is a
 * tool result with {@code isError}; every other one is a JSON-RPC error with a stable code and the problem
 * document as {@code data}. Codes above -32100 are the JSON-RPC server-error range, listed in the README.
 */
final class McpErrors {

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    /** The HTTP exchange itself was refused (session, protocol version, media type, size, origin). */
    static final int TRANSPORT = -32000;
    static final int UNAUTHENTICATED = -32001;
    static final int AGENT_HALTED = -32002;
    static final int TOOL_NOT_GRANTED = -32003;
    static final int RATE_LIMITED = -32004;
    /** The legacy service cannot take the call now: saturated, breaker open, throttling, timed out or failing. */
    static final int BACKEND_UNAVAILABLE = -32005;
    /** The call reached the backend and was refused in a way new arguments will not fix (a read-only tool asked to write). */
    static final int CALL_REFUSED = -32006;

    private McpErrors() {
    }

    /** Whether the model should read this as the outcome of its call and correct the arguments. */
    static boolean isToolError(Refusal refusal) {
        // 409: a database constraint refused the values (a duplicate, a missing reference): other values may pass.
        // An approval held, denied or expired: the model reads it, waits and sends the identical call again.
        return refusal.status() == 422 || refusal.status() == 409 || refusal.outcome().startsWith("approval_");
    }

    static int code(Refusal refusal) {
        String outcome = refusal.outcome();
        return switch (outcome) {
            case "malformed_json", "json_too_deep" -> PARSE_ERROR;
            case "invalid_request" -> INVALID_REQUEST;
            case "method_not_found" -> METHOD_NOT_FOUND;
            // The MCP specification answers an unknown tool with Invalid params.
            case "invalid_params", "unknown_tool" -> INVALID_PARAMS;
            case "internal_error" -> INTERNAL_ERROR;
            case "unauthenticated" -> UNAUTHENTICATED;
            case "halted" -> AGENT_HALTED;
            case "not_granted" -> TOOL_NOT_GRANTED;
            case "db_read_only" -> CALL_REFUSED;
            default -> outcome.startsWith("rate_limited") ? RATE_LIMITED
                    : refusal.status() >= 502 && refusal.status() <= 504 ? BACKEND_UNAVAILABLE : TRANSPORT;
        };
    }

    /**
     * {@code {code, message, data}}: the message is the refusal's one-sentence detail (what a client shows the
     * model), the data is the same problem document the JSON API answers with, {@code retryAfter} included.
     */
    static ObjectNode error(Refusal refusal, String requestId) {
        ObjectNode error = HttpResponses.JSON.createObjectNode();
        error.put("code", code(refusal));
        error.put("message", refusal.detail());
        error.set("data", HttpResponses.problemBody(refusal, requestId));
        return error;
    }

    /** A tool result the model reads: the detail as text, the problem (with any violations) as structured content. */
    static ObjectNode toolError(Refusal refusal, String requestId) {
        ObjectNode result = HttpResponses.JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", refusal.detail());
        result.set("structuredContent", HttpResponses.problemBody(refusal, requestId));
        result.put("isError", true);
        return result;
    }
}
