package io.oldguard.approval;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.oldguard.config.HaltsConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.MutableClock;
import io.oldguard.testing.SidecarHarness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import io.oldguard.config.SidecarConfig;
import org.junit.jupiter.api.Test;

/** Human approval of ReserveStock above 20 units (the shipped policy), on the real simulator and PostgreSQL. */
class ApprovalsIT {

    private static final String RESERVE = "/v1/tools/ReserveStock";
    private static final String RESERVE_45 = "{\"ItemID\": 42, \"Quantity\": 45, \"OrderRef\": \"PO-004711\"}";
    /** The same call, its keys in another order and with other spacing: the same canonical arguments. */
    private static final String RESERVE_45_REORDERED = "{\"OrderRef\":\"PO-004711\",\"Quantity\":45,\"ItemID\":42}";
    private static final String PROBLEMS = "https://oldguard.dev/problems/";

    @Test
    void aHeldCallSendsNothingAndAfterApprovalTheIdenticalCallPassesOnce() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http agent = harness.agent();

            Http.Reply held = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45);

            assertThat(held.status()).isEqualTo(202);
            assertThat(held.contentType()).isEqualTo("application/problem+json");
            JsonNode problem = held.json();
            assertThat(problem.path("type").asText()).isEqualTo(PROBLEMS + "approval-required");
            assertThat(problem.path("approvalId").asText()).startsWith("ap-");
            assertThat(problem.path("argumentsHash").asText()).startsWith("sha256:");
            assertThat(Instant.parse(problem.path("expiresAt").asText())).isAfter(Instant.now().plus(Duration.ofMinutes(14)));
            assertThat(problem.path("detail").asText()).contains("Wait for the operator", "send the identical call again");
            assertThat(harness.simulator().requestsReceived()).as("nothing reached the legacy service").isZero();
            assertThat(agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json().path("approvalId").asText())
                    .as("a repeated held call finds the same request").isEqualTo(problem.path("approvalId").asText());

            String id = problem.path("approvalId").asText();
            JsonNode listed = harness.admin().get("/v1/approvals", ADMIN_TOKEN).json().path("approvals");
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).path("state").asText()).isEqualTo("pending");
            assertThat(listed.get(0).path("arguments").path("Quantity").asInt()).isEqualTo(45);
            Http.Reply approved = harness.admin().postJson("/v1/approvals/" + id + "/approve", ADMIN_TOKEN, "{\"by\": \"alice\"}");
            assertThat(approved.status()).isEqualTo(200);
            assertThat(approved.json().path("state").asText()).isEqualTo("approved");
            assertThat(approved.json().path("decidedBy").asText()).isEqualTo("alice");

            Http.Reply passed = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45_REORDERED);
            assertThat(passed.status()).as(passed.body()).isEqualTo(200);
            assertThat(harness.simulator().requestsReceived()).as("the approved call reached the service").isEqualTo(1);

            Http.Reply again = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45);
            assertThat(again.status()).as("an approval lets one call through").isEqualTo(202);
            assertThat(again.json().path("approvalId").asText()).isNotEqualTo(id);
            assertThat(harness.simulator().requestsReceived()).isEqualTo(1);

            assertThat(agent.postJson(RESERVE, ORDER_TOKEN, "{\"ItemID\": 42, \"Quantity\": 19, \"OrderRef\": \"PO-004711\"}")
                    .status()).as("below the threshold no approval is needed").isEqualTo(200);
            String metrics = harness.admin().get("/metrics", null).body();
            assertThat(metrics).contains("oldguard_approvals_total{decision=\"requested\"} 2.0")
                    .contains("oldguard_approvals_total{decision=\"approved\"} 1.0")
                    .contains("oldguard_approvals_total{decision=\"used\"} 1.0")
                    .contains("oldguard_approvals_pending 1.0");
        }
    }

    @Test
    void afterApprovalACallWithOneArgumentChangedIsHeldNotPassed() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http agent = harness.agent();
            String id = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json().path("approvalId").asText();
            assertThat(harness.admin().postJson("/v1/approvals/" + id + "/approve", ADMIN_TOKEN, "").status()).isEqualTo(200);

            Http.Reply more = agent.postJson(RESERVE, ORDER_TOKEN, "{\"ItemID\": 42, \"Quantity\": 46, \"OrderRef\": \"PO-004711\"}");
            Http.Reply otherOrder = agent.postJson(RESERVE, ORDER_TOKEN, "{\"ItemID\": 42, \"Quantity\": 45, \"OrderRef\": \"PO-004712\"}");

            assertThat(more.status()).isEqualTo(202);
            assertThat(otherOrder.status()).isEqualTo(202);
            assertThat(more.json().path("approvalId").asText()).isNotEqualTo(id);
            assertThat(otherOrder.json().path("approvalId").asText()).isNotEqualTo(id);
            assertThat(harness.simulator().requestsReceived()).isZero();
            assertThat(agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45).status())
                    .as("the changed calls did not use the approval").isEqualTo(200);
        }
    }

    @Test
    void aDeniedRequestRefusesTheCallWithTheReason() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http agent = harness.agent();
            String id = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json().path("approvalId").asText();

            Http.Reply denied = harness.admin().postJson("/v1/approvals/" + id + "/deny", ADMIN_TOKEN,
                    "{\"by\": \"bob\", \"reason\": \"PO-004711 is already fully reserved\"}");
            Http.Reply refused = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45);

            assertThat(denied.status()).isEqualTo(200);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().path("type").asText()).isEqualTo(PROBLEMS + "approval-denied");
            assertThat(refused.json().path("reason").asText()).isEqualTo("PO-004711 is already fully reserved");
            assertThat(refused.json().path("approvalId").asText()).isEqualTo(id);
            assertThat(harness.simulator().requestsReceived()).isZero();
            assertThat(harness.admin().postJson("/v1/approvals/" + id + "/approve", ADMIN_TOKEN, "").status())
                    .as("a denial is not turned into an approval").isEqualTo(409);
        }
    }

    @Test
    void anApprovalNotUsedWithinItsTtlIsRefusedAsExpiredOnAFakeClock() {
        MutableClock clock = new MutableClock(Instant.now());
        try (SidecarHarness harness = SidecarHarness.start(UnaryOperator.identity(), clock)) {
            Http agent = harness.agent();
            String id = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json().path("approvalId").asText();
            assertThat(harness.admin().postJson("/v1/approvals/" + id + "/approve", ADMIN_TOKEN, "").status()).isEqualTo(200);

            clock.advance(Duration.ofMinutes(16));
            Http.Reply expired = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45);

            assertThat(expired.status()).isEqualTo(410);
            assertThat(expired.json().path("type").asText()).isEqualTo(PROBLEMS + "approval-expired");
            assertThat(expired.json().path("approvalId").asText()).isEqualTo(id);
            assertThat(harness.simulator().requestsReceived()).isZero();
            Http.Reply askedAgain = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45);
            assertThat(askedAgain.status()).as("told once; the next call asks again").isEqualTo(202);
            assertThat(askedAgain.json().path("approvalId").asText()).isNotEqualTo(id);
        }
    }

    @Test
    void aPendingRequestNobodyDecidesExpiresOnAFakeClock() {
        MutableClock clock = new MutableClock(Instant.now());
        try (SidecarHarness harness = SidecarHarness.start(UnaryOperator.identity(), clock)) {
            Http agent = harness.agent();
            String id = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json().path("approvalId").asText();

            clock.advance(Duration.ofMinutes(15));

            assertThat(harness.admin().postJson("/v1/approvals/" + id + "/approve", ADMIN_TOKEN, "").status())
                    .as("too late to approve").isEqualTo(409);
            Http.Reply expired = agent.postJson(RESERVE, ORDER_TOKEN, RESERVE_45);
            assertThat(expired.status()).isEqualTo(410);
            assertThat(expired.json().path("detail").asText()).contains("before anyone decided it");
        }
    }

    @Test
    void aRestartKeepsPendingAndApprovedRequests() {
        Path halts = SidecarHarness.freshHaltsFile();
        UnaryOperator<SidecarConfig> sameFiles = c -> c.withHalts(new HaltsConfig(halts.toString(), c.halts().errorStreak()));
        String reserve30 = "{\"ItemID\": 42, \"Quantity\": 30, \"OrderRef\": \"PO-004711\"}";
        String pendingId;
        String approvedId;
        try (SidecarHarness first = SidecarHarness.start(sameFiles, java.time.Clock.systemUTC())) {
            pendingId = first.agent().postJson(RESERVE, ORDER_TOKEN, reserve30).json().path("approvalId").asText();
            approvedId = first.agent().postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json().path("approvalId").asText();
            assertThat(first.admin().postJson("/v1/approvals/" + approvedId + "/approve", ADMIN_TOKEN, "").status()).isEqualTo(200);
        }
        assertThat(halts.resolveSibling("approvals.json")).exists();

        try (SidecarHarness second = SidecarHarness.start(sameFiles, java.time.Clock.systemUTC())) {
            JsonNode listed = second.admin().get("/v1/approvals", ADMIN_TOKEN).json().path("approvals");
            assertThat(listed).extracting(a -> a.path("id").asText() + "=" + a.path("state").asText())
                    .containsExactly(pendingId + "=pending", approvedId + "=approved");

            assertThat(second.agent().postJson(RESERVE, ORDER_TOKEN, RESERVE_45).status()).isEqualTo(200);
            assertThat(second.simulator().requestsReceived()).isEqualTo(1);
            Http.Reply stillHeld = second.agent().postJson(RESERVE, ORDER_TOKEN, reserve30);
            assertThat(stillHeld.status()).isEqualTo(202);
            assertThat(stillHeld.json().path("approvalId").asText()).isEqualTo(pendingId);
        }
    }

    @Test
    void anMcpClientGetsTheHeldAnswerAsAToolErrorWithTheSameFields() {
        try (SidecarHarness harness = SidecarHarness.start();
                McpSyncClient client = mcpClient(harness)) {
            client.initialize();

            McpSchema.CallToolResult held = client.callTool(McpSchema.CallToolRequest.builder("ReserveStock")
                    .arguments(Map.of("ItemID", 42, "Quantity", 45, "OrderRef", "PO-004711")).build());

            assertThat(held.isError()).isTrue();
            Map<?, ?> content = (Map<?, ?>) held.structuredContent();
            assertThat(content.get("type")).isEqualTo(PROBLEMS + "approval-required");
            assertThat((String) content.get("approvalId")).startsWith("ap-");
            assertThat((String) content.get("argumentsHash")).startsWith("sha256:");
            assertThat(content.get("expiresAt")).isNotNull();
            assertThat(((McpSchema.TextContent) held.content().get(0)).text()).contains("identical call");
            assertThat(harness.simulator().requestsReceived()).isZero();
            JsonNode json = harness.agent().postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json();
            assertThat(json.path("approvalId").asText()).as("the same call over the JSON API is the same request")
                    .isEqualTo(content.get("approvalId"));
        }
    }

    @Test
    void aSoapClientGetsTheHeldAnswerAsAClientFaultWithTheFieldsInDetail() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start()) {
            String ns = "http://legacy.example.com/inventory/2008";
            String envelope = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:inv="%s">
                      <soapenv:Body><inv:ReserveStockRequest><inv:ItemID>42</inv:ItemID><inv:Quantity>45</inv:Quantity>
                        <inv:OrderRef>PO-004711</inv:OrderRef></inv:ReserveStockRequest></soapenv:Body>
                    </soapenv:Envelope>""".formatted(ns);
            HttpRequest request = HttpRequest.newBuilder(URI.create(harness.agent().base() + "/inventory"))
                    .header("Content-Type", "text/xml; charset=utf-8").header("SOAPAction", "\"" + ns + "/ReserveStock\"")
                    .header("Authorization", "Bearer " + ORDER_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(envelope)).build();

            HttpResponse<String> fault = harness.agent().client().send(request, HttpResponse.BodyHandlers.ofString());

            assertThat(fault.statusCode()).as("a fault never carries a success status").isEqualTo(500);
            assertThat(fault.body()).contains("<faultcode>soap:Client</faultcode>")
                    .contains("<og:type>" + PROBLEMS + "approval-required</og:type>")
                    .contains("<og:approvalId>ap-").contains("<og:argumentsHash>sha256:").contains("<og:expiresAt>");
            assertThat(harness.simulator().requestsReceived()).isZero();
        }
    }

    @Test
    void theWebhookReceivesEachNewRequest() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer hook = webhook(exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
        });
        try (SidecarHarness harness = SidecarHarness.start(withWebhook(hook), java.time.Clock.systemUTC())) {
            String id = harness.agent().postJson(RESERVE, ORDER_TOKEN, RESERVE_45).json().path("approvalId").asText();

            String body = received.poll(10, TimeUnit.SECONDS);

            assertThat(body).isNotNull();
            JsonNode request = new ObjectMapper().readTree(body);
            assertThat(request.path("id").asText()).isEqualTo(id);
            assertThat(request.path("agent").asText()).isEqualTo("order-bot");
            assertThat(request.path("tool").asText()).isEqualTo("ReserveStock");
            assertThat(request.path("arguments").path("Quantity").asInt()).isEqualTo(45);
            assertThat(request.path("state").asText()).isEqualTo("pending");
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void aWebhookThatHangsDoesNotDelayTheHeldAnswer() throws Exception {
        CountDownLatch answered = new CountDownLatch(1);
        CountDownLatch reached = new CountDownLatch(1);
        HttpServer hook = webhook(exchange -> {
            reached.countDown();
            try {
                // Hangs until the test has its answer: the answer cannot have waited for the webhook.
                answered.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
        });
        try (SidecarHarness harness = SidecarHarness.start(withWebhook(hook), java.time.Clock.systemUTC())) {
            long start = System.nanoTime();
            Http.Reply held = harness.agent().postJson(RESERVE, ORDER_TOKEN, RESERVE_45);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            boolean webhookStillHanging = answered.getCount() == 1;
            answered.countDown();

            assertThat(held.status()).isEqualTo(202);
            assertThat(webhookStillHanging).isTrue();
            assertThat(reached.await(10, TimeUnit.SECONDS)).as("the webhook was called").isTrue();
            System.out.println("held answer with a hanging webhook: " + tookMs + " ms");
        } finally {
            hook.stop(0);
        }
    }

    private static UnaryOperator<SidecarConfig> withWebhook(HttpServer hook) {
        return c -> c.withApprovals(c.approvals().withWebhook(
                URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"), Duration.ofSeconds(20)));
    }

    private static HttpServer webhook(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", handler);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    private static McpSyncClient mcpClient(SidecarHarness harness) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(harness.agent().base())
                .endpoint("/mcp")
                .addHttpRequestCustomizer((request, method, uri, body, context) ->
                        request.header("Authorization", "Bearer " + ORDER_TOKEN))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
                .clientInfo(McpSchema.Implementation.builder("oldguard-it", "1.0").build()).build();
    }
}
