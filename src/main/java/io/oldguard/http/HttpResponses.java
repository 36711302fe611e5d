package io.oldguard.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.oldguard.guard.Refusal;
import java.nio.charset.StandardCharsets;

/** Builds HTTP responses: JSON bodies and RFC 9457 problem documents from a {@link Refusal}. */
public final class HttpResponses {

    /**
     * Jackson's buffers come from a pool shared by all threads: its default keeps them per thread, and every call
     * runs on a new virtual thread, so each call allocated them afresh (about a fifth of a call's allocation).
     */
    public static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build());
    public static final String PROBLEM_JSON = "application/problem+json";
    // Header values of every answer, encoded once: Netty copies an AsciiString's bytes, a String it encodes per char.
    public static final AsciiString JSON_TYPE = AsciiString.cached("application/json");
    private static final AsciiString PROBLEM_JSON_TYPE = AsciiString.cached(PROBLEM_JSON);

    private HttpResponses() {
    }

    public static FullHttpResponse json(HttpResponseStatus status, Object body, String requestId) {
        try {
            return bytes(status, JSON_TYPE, JSON.writeValueAsBytes(body), requestId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree could not be written", e);
        }
    }

    public static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
        return bytes(status, contentType, body.getBytes(StandardCharsets.UTF_8), null);
    }

    public static FullHttpResponse problem(Refusal refusal, String requestId) {
        ObjectNode body = problemBody(refusal, requestId);
        FullHttpResponse response;
        try {
            response = bytes(HttpResponseStatus.valueOf(refusal.status()), PROBLEM_JSON_TYPE, JSON.writeValueAsBytes(body), requestId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("problem document could not be written", e);
        }
        if (refusal.retryAfter() != null) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds(refusal));
        }
        refusal.headers().forEach((k, v) -> response.headers().set(k, v));
        return response;
    }

    /** The RFC 9457 document of a refusal; every transport shows a refusal with exactly these members. */
    public static ObjectNode problemBody(Refusal refusal, String requestId) {
        ObjectNode body = JSON.createObjectNode()
                .put("type", refusal.type())
                .put("title", refusal.title())
                .put("status", refusal.status())
                .put("detail", refusal.detail());
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        if (refusal.retryAfter() != null) {
            body.put("retryAfter", retryAfterSeconds(refusal));
        }
        refusal.extensions().forEach((k, v) -> body.set(k, JSON.valueToTree(v)));
        return body;
    }

    /** Whole seconds, rounded up: a client told "0" would retry at once, which is what we are preventing. */
    public static long retryAfterSeconds(Refusal refusal) {
        long ms = refusal.retryAfter().toMillis();
        return Math.max(1, (ms + 999) / 1000);
    }

    public static FullHttpResponse bytes(HttpResponseStatus status, CharSequence contentType, byte[] body, String requestId) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (requestId != null) {
            response.headers().set(RequestIds.HEADER, requestId);
        }
        return response;
    }
}
