package io.oldguard.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.oldguard.guard.Refusal;
import io.oldguard.http.HttpResponses;
import io.oldguard.http.RequestIds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP answer of the MCP endpoint, serialised off the event loop so the loop only writes bytes.
 *
 * @param body    JSON bytes, or null for a bodiless 202/204
 * @param headers extra headers: {@code Mcp-Session-Id}, or a refusal's ({@code WWW-Authenticate}, {@code Allow}, ...)
 */
record McpReply(int status, byte[] body, Map<String, String> headers) {

    static final String SESSION_HEADER = "Mcp-Session-Id";

    McpReply {
        headers = Map.copyOf(headers);
    }

    static McpReply json(JsonNode message) {
        try {
            return new McpReply(200, HttpResponses.JSON.writeValueAsBytes(message), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON-RPC response could not be written", e);
        }
    }

    /** What a notification or a client's response gets: accepted, nothing to say. */
    static McpReply accepted() {
        return new McpReply(202, null, Map.of());
    }

    static McpReply noContent() {
        return new McpReply(204, null, Map.of());
    }

    /** The refusal's HTTP status, with a JSON-RPC error response (the request's id when known) as the body. */
    static McpReply refused(Refusal refusal, JsonNode id, String requestId) {
        McpReply body = json(JsonRpc.error(id, McpErrors.error(refusal, requestId)));
        return new McpReply(refusal.status(), body.body(), refusal.headers());
    }

    McpReply withSession(String sessionId) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(SESSION_HEADER, sessionId);
        return new McpReply(status, body, more);
    }

    /** Whether the connection must close after this answer (the rest of the request was not read). */
    boolean closes() {
        return "close".equalsIgnoreCase(headers.get("Connection"));
    }

    FullHttpResponse toHttp(String requestId) {
        FullHttpResponse response;
        if (body == null) {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            response.headers().set(RequestIds.HEADER, requestId);
        } else {
            response = HttpResponses.bytes(HttpResponseStatus.valueOf(status), HttpResponses.JSON_TYPE, body, requestId);
        }
        headers.forEach((k, v) -> response.headers().set(k, v));
        return response;
    }
}
