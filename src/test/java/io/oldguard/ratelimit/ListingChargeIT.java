package io.oldguard.ratelimit;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tool listings cost one token of the agent's overall rate, on the JSON API and over MCP, so a loop of listings
 * meets the same limit a loop of calls does. support-bot may make two requests a minute here; order-bot is unlimited.
 */
class ListingChargeIT {

    private static final String POLICIES = """
            agents:
              support-bot:
                tools: [GetStock]
                limits: { rate: "2/min" }
              order-bot:
                tools: [GetStock]
            """;

    private SidecarHarness harness;

    @BeforeEach
    void start() {
        String folder = TestPolicies.folderWith(POLICIES);
        harness = SidecarHarness.start(s -> s, c -> c.withPolicies(folder));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void theJsonApiListingTakesATokenSoTheThirdIsRateLimited() {
        assertThat(harness.agent().get("/v1/tools", SUPPORT_TOKEN).status()).isEqualTo(200);
        assertThat(harness.agent().get("/v1/tools?format=openai", SUPPORT_TOKEN).status()).isEqualTo(200);

        Http.Reply third = harness.agent().get("/v1/tools", SUPPORT_TOKEN);

        assertThat(third.status()).as(third.body()).isEqualTo(429);
        assertThat(third.json().path("type").asText()).endsWith("/rate-limited");
        assertThat(third.json().path("tool").asText()).isEqualTo("GET /v1/tools");
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(harness.agent().get("/v1/tools", ORDER_TOKEN).status()).as("an agent without a rate").isEqualTo(200);
    }

    @Test
    void aListingAndACallShareTheAgentsBudget() {
        assertThat(harness.agent().get("/v1/tools", SUPPORT_TOKEN).status()).isEqualTo(200);
        assertThat(harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);

        Http.Reply call = harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 43}");

        assertThat(call.status()).isEqualTo(429);
    }

    @Test
    void mcpToolsListTakesATokenSoTheThirdIsAJsonRpcRateLimitError() {
        String session = mcp(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"it\",\"version\":\"1\"}}}")
                .headers().firstValue("Mcp-Session-Id").orElseThrow();
        String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
        assertThat(mcp(session, list).json().has("result")).isTrue();
        assertThat(mcp(session, list).json().has("result")).isTrue();

        Http.Reply third = mcp(session, list);

        assertThat(third.status()).isEqualTo(200);
        assertThat(third.json().path("error").path("code").asInt()).isEqualTo(-32004);
        assertThat(third.json().path("error").path("data").path("tool").asText()).isEqualTo("tools/list");
        assertThat(third.json().path("error").path("data").path("retryAfter").asLong()).isBetween(1L, 60L);
    }

    private Http.Reply mcp(String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(harness.agent().base() + "/mcp"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + SUPPORT_TOKEN)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return harness.agent().send(b.build());
    }
}
