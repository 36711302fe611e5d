package io.oldguard.http;

import static io.oldguard.http.AgentPortIT.assertProblem;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.Http;
import io.oldguard.testing.RawHttp;
import io.oldguard.testing.SidecarHarness;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests that are not quite what they claim to be — JSON with something after it, a body whose chunk framing
 * breaks — are refused whole on the agent port, over the JSON API and MCP alike, and nothing reaches the service.
 */
class MalformedRequestsIT {

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"GetStock\",\"arguments\":{\"ItemID\":42}}}";

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

    @BeforeEach
    void resetCounters() {
        harness.simulator().resetCounters();
    }

    @Test
    void jsonWithTrailingContentGets400OnTheToolApi() {
        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\":42} xyz");

        assertProblem(reply, 400, "malformed-json");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void aSecondJsonObjectAfterTheFirstGets400OnTheToolApi() {
        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\":42}{\"ItemID\":43}");

        assertProblem(reply, 400, "malformed-json");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void jsonWithTrailingContentIsAParseErrorOverMcp() {
        String session = mcp(INITIALIZE, null).headers().firstValue("Mcp-Session-Id").orElseThrow();

        Http.Reply reply = mcp(CALL + " xyz", session);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(reply.json().path("error").path("data").path("type").asText()).endsWith("/malformed-json");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void anInvalidChunkSizeGets400AndCallsNothingOnTheToolApi() throws Exception {
        try (RawHttp connection = new RawHttp(agent.base())) {
            connection.send(chunked("/v1/tools/GetStock", SUPPORT_TOKEN, null));

            RawHttp.Answer answer = connection.read();

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("/bad-request");
            assertThat(answer.header("Connection")).isEqualTo("close");
        }
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void anInvalidChunkSizeGets400AndCallsNothingOverMcp() throws Exception {
        String session = mcp(INITIALIZE, null).headers().firstValue("Mcp-Session-Id").orElseThrow();
        try (RawHttp connection = new RawHttp(agent.base())) {
            connection.send(chunked("/mcp", SUPPORT_TOKEN, session));

            RawHttp.Answer answer = connection.read();

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("/bad-request");
        }
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    /** A chunked POST whose first chunk carries a complete call and whose next chunk size is not hex. */
    static String chunked(String path, String token, String session) {
        String body = path.equals("/mcp") ? CALL : "{\"ItemID\":42}";
        return "POST " + path + " HTTP/1.1\r\nHost: oldguard\r\nAuthorization: Bearer " + token + "\r\n"
                + (session == null ? "" : "Mcp-Session-Id: " + session + "\r\nAccept: application/json, text/event-stream\r\n")
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\nzz\r\nmore\r\n0\r\n\r\n";
    }

    private static Http.Reply mcp(String body, String session) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(agent.base() + "/mcp"))
                .header("Authorization", "Bearer " + SUPPORT_TOKEN).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return agent.send(b.build());
    }
}
