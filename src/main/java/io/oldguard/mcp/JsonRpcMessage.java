package io.oldguard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;

/**
 * One JSON-RPC 2.0 message as MCP restricts it: a request (string or integer id, never null), a notification
 * (no id) or a response to a server request; {@code params}, when present, is an object.
 *
 * @param id     the request id, or null for a notification
 * @param params the params object, empty when the message had none
 */
record JsonRpcMessage(Kind kind, JsonNode id, String method, ObjectNode params) {

    enum Kind { REQUEST, NOTIFICATION, RESPONSE }

    /** Either a message, or why the value is none; {@code id} is the value's id when it could be read. */
    record Read(JsonRpcMessage message, Refusal refusal, JsonNode id) {
    }

    boolean isRequest() {
        return kind == Kind.REQUEST;
    }

    static Read read(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            return invalid("A JSON-RPC message is a JSON object, not a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT), null);
        }
        JsonNode id = object.get("id");
        boolean validId = id != null && (id.isTextual() || id.isIntegralNumber());
        JsonNode echoedId = validId ? id : null;
        if (!"2.0".equals(object.path("jsonrpc").textValue())) {
            return invalid("The member \"jsonrpc\" must be \"2.0\"", echoedId);
        }
        if (id != null && !validId) {
            return invalid("The member \"id\" must be a string or an integer (MCP forbids null)", null);
        }
        JsonNode method = object.get("method");
        if (method == null) {
            if (validId && (object.has("result") || object.has("error"))) {
                return new Read(new JsonRpcMessage(Kind.RESPONSE, id, null, object.objectNode()), null, id);
            }
            return invalid("The message has no \"method\"", echoedId);
        }
        if (!method.isTextual()) {
            return invalid("The member \"method\" must be a string", echoedId);
        }
        JsonNode params = object.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            return invalid("The member \"params\" must be an object", echoedId);
        }
        ObjectNode paramsObject = params instanceof ObjectNode p ? p : object.objectNode();
        Kind kind = validId ? Kind.REQUEST : Kind.NOTIFICATION;
        return new Read(new JsonRpcMessage(kind, id, method.textValue(), paramsObject), null, id);
    }

    private static Read invalid(String what, JsonNode id) {
        return new Read(null, Refusals.invalidJsonRpc(what), id);
    }
}
