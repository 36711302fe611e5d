package io.oldguard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.http.HttpResponses;

/** Builds the JSON-RPC 2.0 responses this server sends. */
final class JsonRpc {

    private JsonRpc() {
    }

    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode response = HttpResponses.JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", id);
        response.set("result", result);
        return response;
    }

    /** Without an id when the request's could not be read, as MCP allows (it forbids a null id). */
    static ObjectNode error(JsonNode id, ObjectNode error) {
        ObjectNode response = HttpResponses.JSON.createObjectNode().put("jsonrpc", "2.0");
        if (id != null) {
            response.set("id", id);
        }
        response.set("error", error);
        return response;
    }
}
