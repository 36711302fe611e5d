package io.oldguard.halt;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oldguard.config.HaltsConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.SidecarHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The incident, replayed against the real simulator and PostgreSQL, and what halting does afterwards. */
class HaltingIT {

    private static final Path TEST_LOG = Path.of("target/test-logs/oldguard-test.jsonl");
    private static final String INCIDENT_CALL = "{\"ItemID\": \"the-blue-widget-from-the-promo\"}";

    @Test
    void theIncidentIsStoppedAtTheFirstInvalidCallAndTheAgentHalted() throws IOException {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http agent = harness.agent();
            assertThat(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
            harness.simulator().resetCounters();

            Http.Reply refused = agent.send(post(agent, "/v1/tools/GetStock", SUPPORT_TOKEN, INCIDENT_CALL, "incident-0001"));

            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.contentType()).isEqualTo("application/problem+json");
            JsonNode problem = refused.json();
            assertThat(problem.path("type").asText()).isEqualTo("https://oldguard.dev/problems/fixed-format-error");
            assertThat(problem.path("detail").asText()).isEqualTo(
                    "ItemID must be an integer from 1 to 9999999; you sent the string \"the-blue-widget-from-the-promo\".");
            JsonNode violation = problem.path("violations").get(0);
            assertThat(violation.path("path").asText()).isEqualTo("ItemID");
            assertThat(violation.path("rejected").asText()).isEqualTo("the-blue-widget-from-the-promo");
            assertThat(violation.path("rule").asText()).isEqualTo("type");
            assertThat(violation.path("expected").asText()).isEqualTo("an integer from 1 to 9999999");
            assertThat(harness.simulator().requestsReceived()).as("nothing reached the legacy service").isZero();

            JsonNode critical = logLine("incident-0001", "agent.halted").orElseThrow();
            assertThat(critical.path("severity").asText()).isEqualTo("CRITICAL");
            assertThat(critical.path("agent").asText()).isEqualTo("support-bot");
            assertThat(critical.path("tool").asText()).isEqualTo("GetStock");
            assertThat(critical.path("violations").get(0).path("rule").asText()).isEqualTo("type");
            assertThat(critical.path("policyVersion").asText()).hasSize(12);

            assertHalted(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}"));
            assertHalted(agent.postJson("/v1/tools/ListItems", SUPPORT_TOKEN, "{\"Category\": \"TOOLS\", \"Page\": 1}"));
            assertHalted(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": \"another-guess\"}"));
            assertHalted(agent.get("/v1/tools", SUPPORT_TOKEN));
            assertThat(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 43}").status())
                    .as("a second agent is unaffected").isEqualTo(200);
            assertThat(harness.simulator().requestsReceived()).as("only the second agent's call got through").isEqualTo(1);

            JsonNode halted = harness.admin().get("/v1/agents/halted", ADMIN_TOKEN).json().path("halted");
            assertThat(halted).hasSize(1);
            assertThat(halted.get(0).path("agent").asText()).isEqualTo("support-bot");
            assertThat(halted.get(0).path("reason").asText()).isEqualTo("invalid_arguments");
            assertThat(halted.get(0).path("requestId").asText()).isEqualTo("incident-0001");

            String metrics = harness.admin().get("/metrics", null).body();
            assertThat(metrics).contains("oldguard_validation_failures_total{rule=\"type\",tool=\"GetStock\"} 1.0")
                    .contains("oldguard_halts_total{reason=\"invalid_arguments\"} 1.0")
                    .contains("oldguard_agents_halted 1.0");

            Http.Reply released = harness.admin().postJson("/v1/agents/support-bot/release", ADMIN_TOKEN, "");
            assertThat(released.status()).isEqualTo(200);
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
        }
    }

    @Test
    void aHaltedAgentLearnsNothingAboutToolsFromTheJsonApi() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http agent = harness.agent();
            harness.admin().postJson("/v1/agents/support-bot/halt", ADMIN_TOKEN, "{\"reason\": \"probing\"}");

            Http.Reply unknown = agent.postJson("/v1/tools/NoSuchTool", SUPPORT_TOKEN, "{}");
            assertHalted(unknown);
            assertThat(unknown.body()).as("the granted tools stay unnamed").doesNotContain("GetStock");
            assertHalted(agent.post("/v1/tools/GetStock", SUPPORT_TOKEN, "text/plain", "ItemID=42"));
            assertHalted(agent.post("/v1/tools/NoSuchTool", SUPPORT_TOKEN, "text/plain", "ItemID=42"));
            assertHalted(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": "));
            assertHalted(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}"));
            assertThat(Metrics.value(harness.admin(),
                    "oldguard_calls_total{agent=\"support-bot\",outcome=\"halted\",tool=\"GetStock\"}"))
                    .as("a well-formed call of a halted agent is still counted as its call").isEqualTo(1.0);
            assertThat(agent.postJson("/v1/tools/NoSuchTool", ORDER_TOKEN, "{}").status())
                    .as("an agent that is not halted is still told what it may call").isEqualTo(404);
        }
    }

    @Test
    void haltedAgentsStayHaltedAcrossARestart() {
        Path haltsFile = SidecarHarness.freshHaltsFile();
        try (SidecarHarness first = SidecarHarness.start(s -> s, c -> c.withHalts(new HaltsConfig(haltsFile.toString(), null)))) {
            assertThat(first.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, INCIDENT_CALL).status()).isEqualTo(422);
        }

        try (SidecarHarness second = SidecarHarness.start(s -> s, c -> c.withHalts(new HaltsConfig(haltsFile.toString(), null)))) {
            assertHalted(second.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}"));
            assertThat(second.simulator().requestsReceived()).isZero();
        }
    }

    @Test
    void aStreakOfBackendFaultsHaltsAGuessingAgent() throws IOException {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http agent = harness.agent();
            for (int i = 0; i < 10; i++) {
                Http.Reply reply = agent.send(post(agent, "/v1/tools/GetStock", SUPPORT_TOKEN,
                        "{\"ItemID\": " + (9_000_000 + i) + "}", "guess-" + i));
                assertThat(reply.status()).as("valid but unknown item %s", i).isEqualTo(422);
                assertThat(reply.json().path("type").asText()).endsWith("/soap-fault");
            }

            assertHalted(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}"));
            assertThat(harness.simulator().requestsReceived()).isEqualTo(10);
            assertThat(logLine("guess-9", "agent.halted.error_streak")).hasValueSatisfying(line ->
                    assertThat(line.path("severity").asText()).isEqualTo("CRITICAL"));
            JsonNode halted = harness.admin().get("/v1/agents/halted", ADMIN_TOKEN).json().path("halted");
            assertThat(halted.get(0).path("reason").asText()).isEqualTo("error_streak");
        }
    }

    @Test
    void aSuccessEndsTheStreak() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http agent = harness.agent();
            for (int i = 0; i < 15; i++) {
                agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": " + (9_000_000 + i) + "}");
                if (i % 5 == 4) {
                    assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
                }
            }

            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
        }
    }

    @Test
    void operatorsHaltAndReleaseByHandWithTheAdminToken() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http admin = harness.admin();

            assertThat(admin.get("/v1/agents/halted", null).status()).isEqualTo(401);
            assertThat(admin.get("/v1/agents/halted", "not-the-admin-token-at-all").status()).isEqualTo(401);
            assertThat(admin.postJson("/v1/agents/nobody/halt", ADMIN_TOKEN, "{}").status()).isEqualTo(404);
            assertThat(admin.postJson("/v1/agents/order-bot/release", ADMIN_TOKEN, "").status()).isEqualTo(404);

            Http.Reply halt = admin.postJson("/v1/agents/order-bot/halt", ADMIN_TOKEN, "{\"reason\": \"runaway loop\"}");
            assertThat(halt.status()).isEqualTo(200);
            Http.Reply refused = harness.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}");
            assertHalted(refused);
            assertThat(refused.json().path("detail").asText()).contains("runaway loop");

            assertThat(admin.postJson("/v1/agents/order-bot/release", ADMIN_TOKEN, "").status()).isEqualTo(200);
            assertThat(harness.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
        }
    }

    private static void assertHalted(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(423);
        assertThat(reply.json().path("type").asText()).isEqualTo("https://oldguard.dev/problems/agent-halted");
        assertThat(reply.json().path("haltedSince").asText()).isNotBlank();
    }

    private static HttpRequest post(Http http, String path, String token, String json, String requestId) {
        return HttpRequest.newBuilder(URI.create(http.base() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("X-Request-Id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static Optional<JsonNode> logLine(String requestId, String event) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(TEST_LOG)) {
            if (line.contains(requestId) && line.contains(event)) {
                JsonNode node = json.readTree(line);
                if (event.equals(node.path("event").asText()) && requestId.equals(node.path("requestId").asText())) {
                    return Optional.of(node);
                }
            }
        }
        return Optional.empty();
    }
}
