package io.oldguard.mcp;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** oldguard driven by the official MCP Java SDK client, against the real simulator and PostgreSQL. */
class McpClientIT {

    private static final String INCIDENT_ITEM = "the-blue-widget-from-the-promo";

    private static SidecarHarness harness;

    @BeforeAll
    static void start() {
        harness = SidecarHarness.start();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void initializeNegotiatesTheNewestVersionTheSdkSpeaks() {
        try (McpSyncClient client = client(harness, SUPPORT_TOKEN)) {
            McpSchema.InitializeResult init = client.initialize();

            assertThat(init.protocolVersion()).isEqualTo("2025-11-25");
            assertThat(init.serverInfo().name()).isEqualTo("oldguard");
            assertThat(init.capabilities().tools()).isNotNull();
            assertThat(init.capabilities().tools().listChanged()).isTrue();
            assertThat(client.ping()).isNotNull();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsOnlyTheGrantedToolsWithXsdBoundsAndPolicyPatterns() {
        try (McpSyncClient support = client(harness, SUPPORT_TOKEN); McpSyncClient order = client(harness, ORDER_TOKEN)) {
            List<McpSchema.Tool> supportTools = support.listTools().tools();
            List<McpSchema.Tool> orderTools = order.listTools().tools();

            assertThat(supportTools).extracting(McpSchema.Tool::name).containsExactly("GetStock", "ListItems", "low_stock");
            Map<String, Object> itemId = property(supportTools.get(0).inputSchema(), "ItemID");
            assertThat(itemId).containsEntry("type", "integer").containsEntry("minimum", 1).containsEntry("maximum", 9_999_999);
            assertThat(supportTools.get(0).outputSchema()).containsEntry("type", "object");
            assertThat(orderTools).extracting(McpSchema.Tool::name)
                    .containsExactly("GetStock", "ListItems", "ReserveStock", "item_reservations", "low_stock");
            Map<String, Object> lowStockRows = property(supportTools.get(2).outputSchema(), "rows");
            assertThat(lowStockRows).as("a SQL tool's result schema, from the database's columns").containsEntry("type", "array");
            List<Map<?, ?>> orderRefPatterns = (List<Map<?, ?>>) property(orderTools.get(2).inputSchema(), "OrderRef").get("allOf");
            assertThat(orderRefPatterns).extracting(p -> (Object) p.get("pattern"))
                    .containsExactly("^(?:PO-[0-9]{4,10})$", "^PO-[0-9]{6}$");
        }
    }

    @Test
    void getStockReturnsTheRowAsStructuredContent() {
        try (McpSyncClient client = client(harness, SUPPORT_TOKEN)) {
            McpSchema.CallToolResult result = client.callTool(call("GetStock", Map.of("ItemID", 42)));

            assertThat(result.isError()).isFalse();
            Map<?, ?> stock = (Map<?, ?>) ((Map<?, ?>) result.structuredContent()).get("Stock");
            assertThat(stock.get("ItemID")).isEqualTo(42);
            assertThat(((McpSchema.TextContent) result.content().get(0)).text()).contains("\"ItemID\":42");
        }
    }

    @Test
    void aStringItemIdIsAFixedFormatErrorResultAndTheHaltedAgentThenGetsAJsonRpcError() {
        try (SidecarHarness own = SidecarHarness.start(); McpSyncClient client = client(own, SUPPORT_TOKEN)) {
            String jsonApiDetail = own.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN,
                    "{\"ItemID\": \"" + INCIDENT_ITEM + "\"}").json().path("detail").asText();

            McpSchema.CallToolResult refused = client.callTool(call("GetStock", Map.of("ItemID", INCIDENT_ITEM)));

            assertThat(refused.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().get(0)).text()).isEqualTo(jsonApiDetail);
            Map<?, ?> problem = (Map<?, ?>) refused.structuredContent();
            assertThat(problem.get("type")).isEqualTo("https://oldguard.dev/problems/fixed-format-error");
            Map<?, ?> violation = (Map<?, ?>) ((List<?>) problem.get("violations")).get(0);
            assertThat(violation.get("path")).isEqualTo("ItemID");
            assertThat(violation.get("rule")).isEqualTo("type");
            assertThat(own.simulator().requestsReceived()).as("nothing reached the legacy service").isZero();

            McpError halted = catchThrowableOfType(McpError.class,
                    () -> client.callTool(call("GetStock", Map.of("ItemID", 42))));
            assertThat(halted.getJsonRpcError().code()).isEqualTo(-32002);
            assertThat(((Map<?, ?>) halted.getJsonRpcError().data()).get("type"))
                    .isEqualTo("https://oldguard.dev/problems/agent-halted");
            McpError listing = catchThrowableOfType(McpError.class, client::listTools);
            assertThat(listing.getJsonRpcError().code()).isEqualTo(-32002);
        }
    }

    @Test
    void aHaltedAgentCallingAnUnknownToolIsToldItIsHaltedNotWhichToolsItHas() {
        try (SidecarHarness own = SidecarHarness.start(); McpSyncClient client = client(own, SUPPORT_TOKEN)) {
            own.admin().postJson("/v1/agents/support-bot/halt", ADMIN_TOKEN, "{\"reason\": \"probing\"}");

            McpError refused = catchThrowableOfType(McpError.class, () -> client.callTool(call("NoSuchTool", Map.of())));

            assertThat(refused.getJsonRpcError().code()).isEqualTo(-32002);
            assertThat(((Map<?, ?>) refused.getJsonRpcError().data()).get("type"))
                    .isEqualTo("https://oldguard.dev/problems/agent-halted");
            assertThat(refused.getJsonRpcError().message()).doesNotContain("GetStock");
        }
    }

    @Test
    void aRateLimitedCallIsAJsonRpcErrorCarryingRetryAfter() {
        String policies = TestPolicies.folderWith("""
                agents:
                  support-bot:
                    tools: [GetStock]
                    limits: { rate: "1/min" }
                """);
        try (SidecarHarness own = SidecarHarness.start(s -> s, c -> c.withPolicies(policies));
                McpSyncClient client = client(own, SUPPORT_TOKEN)) {
            assertThat(client.callTool(call("GetStock", Map.of("ItemID", 42))).isError()).isFalse();

            McpError limited = catchThrowableOfType(McpError.class,
                    () -> client.callTool(call("GetStock", Map.of("ItemID", 43))));

            assertThat(limited.getJsonRpcError().code()).isEqualTo(-32004);
            Map<?, ?> data = (Map<?, ?>) limited.getJsonRpcError().data();
            assertThat(data.get("type")).isEqualTo("https://oldguard.dev/problems/rate-limited");
            assertThat(data.get("status")).isEqualTo(429);
            assertThat(((Number) data.get("retryAfter")).longValue()).isBetween(1L, 60L);
        }
    }

    private static McpSchema.CallToolRequest call(String tool, Map<String, Object> arguments) {
        return McpSchema.CallToolRequest.builder(tool).arguments(arguments).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> property(Map<String, Object> schema, String name) {
        return (Map<String, Object>) ((Map<String, Object>) schema.get("properties")).get(name);
    }

    /** The SDK's own Streamable HTTP transport, with the agent's bearer token on every request. */
    @Test
    void aPolicyChangeThatAltersTheToolsIsNotifiedAsListChanged() throws Exception {
        String grants = "agents:\n  support-bot:\n    tools: [%s]\n";
        String folder = io.oldguard.testing.TestPolicies.folderWith(grants.formatted("GetStock, ListItems"));
        java.util.concurrent.BlockingQueue<List<McpSchema.Tool>> changes = new java.util.concurrent.LinkedBlockingQueue<>();
        try (SidecarHarness own = SidecarHarness.start(s -> s, c -> c.withPolicies(folder).withPolicyWatch(Duration.ofMillis(100)));
                McpSyncClient client = McpClient.sync(transport(own, SUPPORT_TOKEN)).requestTimeout(Duration.ofSeconds(20))
                        .toolsChangeConsumer(changes::add).build()) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("GetStock", "ListItems");

            java.nio.file.Files.writeString(java.nio.file.Path.of(folder, "test.yaml"), grants.formatted("ListItems"));

            List<McpSchema.Tool> changed = changes.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(changed).as("notifications/tools/list_changed arrived").isNotNull();
            assertThat(changed).extracting(McpSchema.Tool::name).containsExactly("ListItems");
        }
    }

    private static HttpClientStreamableHttpTransport transport(SidecarHarness harness, String token) {
        return HttpClientStreamableHttpTransport.builder(harness.agent().base())
                .endpoint("/mcp")
                .addHttpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer " + token))
                .build();
    }

    private static McpSyncClient client(SidecarHarness harness, String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(harness.agent().base())
                .endpoint("/mcp")
                .addHttpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
                .clientInfo(McpSchema.Implementation.builder("oldguard-it", "1.0").build()).build();
    }
}
