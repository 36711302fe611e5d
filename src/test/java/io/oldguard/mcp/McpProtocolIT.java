package io.oldguard.mcp;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oldguard.testing.Http;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.SidecarHarness;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Streamable HTTP transport's edge cases with plain HTTP: each gets the answer the MCP specification asks
 * for, never a 500 and never a hang.
 */
class McpProtocolIT {

    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}";

    private static SidecarHarness harness;
    private static Http agent;

    @BeforeAll
    static void start() {
        harness = SidecarHarness.start();
        agent = harness.agent();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void initializeOpensASessionAndKeepsASupportedOlderVersion() {
        Http.Reply reply = send(post(SUPPORT_TOKEN, null, null, initialize("2025-06-18")));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.headers().firstValue("Mcp-Session-Id")).hasValueSatisfying(id -> assertThat(id).matches("[\\x21-\\x7E]{32,}"));
        assertThat(reply.json().path("id").asInt()).isEqualTo(1);
        assertThat(reply.json().path("result").path("protocolVersion").asText()).isEqualTo("2025-06-18");
    }

    @Test
    void initializeWithAnUnsupportedVersionIsAnsweredWithTheNewest() {
        Http.Reply reply = send(post(SUPPORT_TOKEN, null, null, initialize("1999-01-01")));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("result").path("protocolVersion").asText()).isEqualTo("2025-11-25");
    }

    @Test
    void theInitializedNotificationIsAcceptedWithoutABody() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-11-25", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body()).isEmpty();
    }

    @Test
    void aRequestWithoutSessionIdGets400() {
        Http.Reply reply = send(post(SUPPORT_TOKEN, null, "2025-11-25", LIST));

        assertJsonRpcError(reply, 400, -32000, "session-missing");
        assertThat(reply.json().path("id").asInt()).isEqualTo(7);
    }

    @Test
    void anUnknownSessionIdGets404() {
        Http.Reply reply = send(post(SUPPORT_TOKEN, "no-such-session-0123456789", "2025-11-25", LIST));

        assertJsonRpcError(reply, 404, -32000, "session-not-found");
    }

    @Test
    void anotherAgentsTokenCannotUseTheSession() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(ORDER_TOKEN, session, "2025-11-25", LIST));

        assertJsonRpcError(reply, 404, -32000, "session-not-found");
        assertThat(send(post(SUPPORT_TOKEN, session, "2025-11-25", LIST)).status()).as("the owner still can").isEqualTo(200);
    }

    @Test
    void anUnsupportedProtocolVersionHeaderGets400() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "1999-01-01", LIST));

        assertJsonRpcError(reply, 400, -32000, "unsupported-protocol-version");
        assertThat(reply.json().path("error").path("data").path("supported")).extracting(JsonNode::asText)
                .containsExactly("2025-11-25", "2025-06-18", "2025-03-26");
    }

    @Test
    void aProtocolVersionHeaderOtherThanTheNegotiatedOneGets400() {
        String session = open(SUPPORT_TOKEN, "2025-06-18");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-11-25", LIST));

        assertJsonRpcError(reply, 400, -32000, "unsupported-protocol-version");
    }

    @Test
    void anUnknownMethodIsMethodNotFound() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-11-25", "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"resources/list\"}"));

        assertJsonRpcError(reply, 200, -32601, "unknown-method");
        assertThat(reply.json().path("id").asText()).isEqualTo("a");
    }

    @Test
    void anUnknownToolIsInvalidParams() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"DropTables\",\"arguments\":{}}}"));

        assertJsonRpcError(reply, 200, -32602, "unknown-tool");
        assertThat(harness.simulator().requestsReceived("DropTables")).isZero();
    }

    @Test
    void malformedJsonIsAParseErrorWithoutId() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-11-25", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"));

        assertJsonRpcError(reply, 400, -32700, "malformed-json");
        assertThat(reply.json().has("id")).isFalse();
    }

    @Test
    void aMessageThatIsNotJsonRpcIsAnInvalidRequest() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-11-25", "{\"jsonrpc\":\"1.0\",\"id\":9,\"method\":\"ping\"}"));

        assertJsonRpcError(reply, 400, -32600, "invalid-jsonrpc");
        assertThat(reply.json().path("id").asInt()).isEqualTo(9);
    }

    @Test
    void aBatchIsRefusedUnderAVersionWithoutBatches() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-11-25", "[" + LIST + "]"));

        assertJsonRpcError(reply, 400, -32600, "invalid-jsonrpc");
    }

    @Test
    void aBatchUnder2025_03_26GetsOneResponsePerRequest() {
        String session = open(SUPPORT_TOKEN, "2025-03-26");

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-03-26", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}]"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json()).hasSize(2);
        assertThat(reply.json().get(0).path("id").asInt()).isEqualTo(1);
        assertThat(reply.json().get(0).has("result")).isTrue();
        assertThat(reply.json().get(1).path("error").path("code").asInt()).isEqualTo(-32601);
    }

    @Test
    void aBatchOverTheLimitIsRefusedWholeNamingTheLimit() {
        String session = open(SUPPORT_TOKEN, "2025-03-26");
        String batch = "[" + String.join(",", java.util.Collections.nCopies(18_000, LIST)) + "]";

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-03-26", batch));

        // First, so a failure does not print the answer: 40 MB before batches were capped.
        assertThat(reply.body().length()).as("answer size for a %d-byte batch", batch.length()).isLessThan(2048);
        assertJsonRpcError(reply, 400, -32600, "batch-too-large");
        assertThat(reply.json().path("error").path("message").asText()).contains("18000 messages").contains("at most 20");
        assertThat(reply.json().path("error").path("data").path("limit").asInt()).isEqualTo(20);
        assertThat(reply.json().path("error").path("data").path("setting").asText()).isEqualTo("requests.mcp.maxBatchMessages");
    }

    @Test
    void aBatchAtTheLimitIsAnswered() {
        String session = open(SUPPORT_TOKEN, "2025-03-26");
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

        Http.Reply reply = send(post(SUPPORT_TOKEN, session, "2025-03-26", "[" + String.join(",", java.util.Collections.nCopies(20, ping)) + "]"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json()).hasSize(20);
    }

    @Test
    void anOversizedMessageGets413WithAJsonRpcError() {
        String huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}}";

        Http.Reply reply = send(post(SUPPORT_TOKEN, null, null, huge));

        assertJsonRpcError(reply, 413, -32000, "body-too-large");
    }

    @Test
    void aMissingTokenGets401WithTheBearerChallenge() {
        Http.Reply reply = send(post(null, null, null, initialize("2025-11-25")));

        assertJsonRpcError(reply, 401, -32001, "unauthenticated");
        assertThat(reply.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void getWithoutASessionGets400() {
        Http.Reply reply = send(request(SUPPORT_TOKEN).header("Accept", "text/event-stream").GET().build());

        assertJsonRpcError(reply, 400, -32000, "session-missing");
    }

    @Test
    void getThatDoesNotAcceptAnEventStreamGets406() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply reply = send(request(SUPPORT_TOKEN).header("Mcp-Session-Id", session).header("Accept", "application/json")
                .GET().build());

        assertJsonRpcError(reply, 406, -32000, "not-acceptable");
    }

    @Test
    void putGets405() {
        Http.Reply reply = send(request(SUPPORT_TOKEN).PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());

        assertJsonRpcError(reply, 405, -32000, "method-not-allowed");
        assertThat(reply.headers().firstValue("Allow")).hasValue("POST, GET, DELETE");
    }

    @Test
    void deleteEndsTheSession() {
        String session = open(SUPPORT_TOKEN, "2025-11-25");

        Http.Reply ended = send(request(SUPPORT_TOKEN).header("Mcp-Session-Id", session).DELETE().build());

        assertThat(ended.status()).isEqualTo(204);
        assertJsonRpcError(send(post(SUPPORT_TOKEN, session, "2025-11-25", LIST)), 404, -32000, "session-not-found");
    }

    @Test
    void aForeignOriginGets403() {
        Http.Reply reply = send(request(SUPPORT_TOKEN).header("Origin", "http://attacker.example")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(initialize("2025-11-25"))).build());

        assertJsonRpcError(reply, 403, -32000, "forbidden-origin");
    }

    @Test
    void anAcceptHeaderWithoutJsonGets406() {
        Http.Reply reply = send(request(SUPPORT_TOKEN).header("Accept", "text/event-stream")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(initialize("2025-11-25"))).build());

        assertJsonRpcError(reply, 406, -32000, "not-acceptable");
    }

    @Test
    void aClientThatDisconnectsMidCallFreesItsSlotAtTheLegacyService() throws Exception {
        try (SidecarHarness own = SidecarHarness.start(s -> s.withLatency(Duration.ofSeconds(20)),
                c -> c.withBackends(Map.of("inventory", c.backends().get("inventory").withMaxConnections(1))))) {
            URI base = URI.create(own.agent().base());
            String session = own.agent().send(HttpRequest.newBuilder(base.resolve("/mcp"))
                    .header("Authorization", "Bearer " + SUPPORT_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(initialize("2025-11-25"))).build())
                    .headers().firstValue("Mcp-Session-Id").orElseThrow();
            String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"GetStock\",\"arguments\":{\"ItemID\":42}}}";
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + SUPPORT_TOKEN
                        + "\r\nMcp-Session-Id: " + session + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + call.length() + "\r\n\r\n" + call).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                awaitInFlight(own, 1.0);
            }

            awaitInFlight(own, 0.0);
            assertThat(Metrics.value(own.admin(), "oldguard_calls_total{agent=\"support-bot\",outcome=\"cancelled\",tool=\"GetStock\"}"))
                    .isEqualTo(1.0);
        }
    }

    /** Polls far less long than the simulator's 20 s latency: only a cancelled call frees the slot in time. */
    private static void awaitInFlight(SidecarHarness harness, double expected) throws InterruptedException {
        String gauge = "oldguard_backend_in_flight{backend=\"inventory\"}";
        for (int i = 0; i < 100 && Metrics.value(harness.admin(), gauge) != expected; i++) {
            Thread.sleep(50);
        }
        assertThat(Metrics.value(harness.admin(), gauge)).isEqualTo(expected);
    }

    private static void assertJsonRpcError(Http.Reply reply, int status, int code, String problem) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.json().path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(reply.json().path("error").path("code").asInt()).isEqualTo(code);
        assertThat(reply.json().path("error").path("data").path("type").asText()).endsWith("/" + problem);
    }

    private static String open(String token, String version) {
        return send(post(token, null, null, initialize(version))).headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private static String initialize(String version) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + version
                + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"plain-http\",\"version\":\"1\"}}}";
    }

    private static HttpRequest post(String token, String session, String version, String body) {
        HttpRequest.Builder b = request(token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        if (version != null) {
            b.header("MCP-Protocol-Version", version);
        }
        return b.build();
    }

    private static HttpRequest.Builder request(String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(agent.base() + "/mcp")).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private static Http.Reply send(HttpRequest request) {
        return agent.send(request);
    }
}
