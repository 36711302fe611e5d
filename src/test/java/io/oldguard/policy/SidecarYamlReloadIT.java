package io.oldguard.policy;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oldguard.config.BrokenCopies;
import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.RawHttp;
import io.oldguard.testing.SidecarHarness;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Agents and backend limits in sidecar.yaml apply live; settings that cannot change live are reported as needing a restart. */
class SidecarYamlReloadIT {

    @TempDir
    Path dir;

    @Test
    void anAgentRemovedFromSidecarYamlIsRefusedAtOnce() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = start(config)) {
            Http agent = harness.agent();
            assertThat(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);

            BrokenCopies.replace(dir.resolve("policies/inventory.yaml"), """
                      order-bot:
                        tools: [GetStock, ListItems, ReserveStock, low_stock, item_reservations]
                        limits: { rate: "20/s burst 40" }
                    """, "");
            BrokenCopies.replace(config, "  order-bot:\n    tokenEnv: OLDGUARD_TOKEN_ORDER_BOT\n", "");

            Await.until(Duration.ofSeconds(5), "order-bot unknown",
                    () -> agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status() == 401);
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
            assertThat(state(harness).path("lastReload").path("applied").asBoolean()).isTrue();
        }
    }

    @Test
    void aKeptAliveConnectionOfAnAgentARemovedIsRefusedOnItsNextRequest() throws Exception {
        // Every request is identified anew: no answer is kept per connection that a reload would have to undo.
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = start(config); RawHttp connection = new RawHttp(harness.agent().base())) {
            String call = RawHttp.post("/v1/tools/GetStock", ORDER_TOKEN, "application/json", "{\"ItemID\": 42}");
            assertThat(connection.send(call).read().status()).isEqualTo(200);
            assertThat(connection.send(call).read().status()).isEqualTo(200);

            BrokenCopies.replace(config, "  order-bot:\n    tokenEnv: OLDGUARD_TOKEN_ORDER_BOT\n", "");
            Await.until(Duration.ofSeconds(5), "the reload applied",
                    () -> state(harness).path("lastReload").path("applied").asBoolean()
                            && harness.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status() == 401);

            RawHttp.Answer answer = connection.send(call).read();
            assertThat(answer.status()).isEqualTo(401);
            assertThat(connection.send(RawHttp.post("/v1/tools/GetStock", SUPPORT_TOKEN, "application/json",
                    "{\"ItemID\": 42}")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void anAgentRemovedOnlyFromSidecarYamlIsCutOffWhileAPolicyStillGrantsIt() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = start(config)) {
            Http agent = harness.agent();

            // The policies (perhaps another ConfigMap, updated later) still grant order-bot its tools.
            BrokenCopies.replace(config, "  order-bot:\n    tokenEnv: OLDGUARD_TOKEN_ORDER_BOT\n", "");

            Await.until(Duration.ofSeconds(5), "order-bot unknown",
                    () -> agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status() == 401);
            assertThat(state(harness).path("lastReload").path("applied").asBoolean()).isTrue();
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
        }
    }

    @Test
    void anAgentAddedByAReloadCanBeHaltedByAnOperator() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        Path token = java.nio.file.Files.writeString(dir.resolve("audit-bot.token"), "audit-bot-token-0123456789abcdef");
        try (SidecarHarness harness = start(config)) {
            BrokenCopies.replace(config, "agents:\n", "agents:\n  audit-bot:\n    tokenFile: " + token + "\n");
            BrokenCopies.replace(dir.resolve("policies/inventory.yaml"), "agents:\n", "agents:\n  audit-bot:\n    tools: [GetStock]\n");
            Await.until(Duration.ofSeconds(5), "audit-bot known", () -> harness.agent()
                    .postJson("/v1/tools/GetStock", "audit-bot-token-0123456789abcdef", "{\"ItemID\": 42}").status() == 200);

            Http.Reply halted = harness.admin().postJson("/v1/agents/audit-bot/halt", ADMIN_TOKEN, "{\"reason\": \"drill\"}");

            assertThat(halted.status()).isEqualTo(200);
            assertThat(harness.agent().postJson("/v1/tools/GetStock", "audit-bot-token-0123456789abcdef",
                    "{\"ItemID\": 42}").status()).isEqualTo(423);
        }
    }

    @Test
    void aReloadRefusedForATokenFileNotThereYetIsRetriedUntilItIs() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        Path token = dir.resolve("late-bot.token");
        try (SidecarHarness harness = start(config)) {
            // The ConfigMap arrives before the Secret holding the new agent's token.
            BrokenCopies.replace(config, "agents:\n", "agents:\n  late-bot:\n    tokenFile: " + token + "\n");
            Await.until(Duration.ofSeconds(5), "the reload refused",
                    () -> !state(harness).path("lastReload").path("applied").asBoolean(true));
            assertThat(state(harness).path("lastReload").path("problems").get(0).asText())
                    .as("file, line and key").matches(java.util.regex.Pattern.quote(config.toString()) + ":\\d+: agents\\.late-bot: .*");

            java.nio.file.Files.writeString(token, "late-bot-token-0123456789abcdef");

            Await.until(Duration.ofSeconds(15), "the same edit applied without another one",
                    () -> state(harness).path("lastReload").path("applied").asBoolean(false));
            assertThat(harness.agent().get("/v1/tools", "late-bot-token-0123456789abcdef").status()).isEqualTo(200);
        }
    }

    @Test
    void anEditedWsdlIsReportedAsNeedingARestartAndChangesNoTool() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = start(config)) {
            String version = state(harness).path("version").asText();
            BrokenCopies.replace(dir.resolve("wsdl/inventory.wsdl"), "Article number of the item to look up.",
                    "Edited in the WSDL.");

            assertThat(harness.admin().postJson("/v1/policies/reload", ADMIN_TOKEN, "").status()).isEqualTo(200);

            JsonNode state = state(harness);
            assertThat(state.path("lastReload").path("restartRequired").toString()).contains("backends.inventory.wsdl");
            assertThat(state.path("version").asText()).isEqualTo(version);
            assertThat(harness.agent().get("/v1/tools", SUPPORT_TOKEN).body())
                    .as("the contract in force is the one read at start")
                    .contains("Article number of the item to look up.").doesNotContain("Edited in the WSDL.");
        }
    }

    @Test
    void aChangedBackendSettingIsReportedAsNeedingARestart() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = start(config)) {
            String version = state(harness).path("version").asText();

            BrokenCopies.replace(config, "maxConnections: 16", "maxConnections: 8");

            Await.until(Duration.ofSeconds(5), "the restart reported",
                    () -> state(harness).path("lastReload").path("restartRequired").toString().contains("backends.inventory"));
            JsonNode state = state(harness);
            assertThat(state.path("lastReload").path("applied").asBoolean()).isTrue();
            assertThat(state.path("version").asText()).isEqualTo(version);
        }
    }

    @Test
    void editedBackendLimitsApplyLiveWithoutRefillingTheBucket() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = start(config)) {
            assertThat(concurrentGetStocks(harness, 6)).as("the shipped burst of 10 lets 6 through").containsOnly(200);
            String before = state(harness).path("lastReload").path("at").asText();

            // A reservation's cost of 5 would no longer fit in the burst of 1.
            BrokenCopies.replace(dir.resolve("policies/inventory.yaml"), "cost: 5 ", "cost: 1 ");
            BrokenCopies.replace(config, "rate: 50/s burst 10", "rate: 1/s burst 1");
            BrokenCopies.replace(config, "maxWait: 1s ", "maxWait: 100ms ");

            Await.until(Duration.ofSeconds(5), "the edit reloaded",
                    () -> !state(harness).path("lastReload").path("at").asText().equals(before));
            JsonNode state = state(harness);
            assertThat(state.path("lastReload").path("applied").asBoolean()).isTrue();
            assertThat(state.path("lastReload").path("restartRequired").toString()).doesNotContain("backends.inventory");
            // One token at most is left (the bucket keeps what it had, cut to the new burst); the next turn is a
            // second away, past the new maxWait.
            assertThat(concurrentGetStocks(harness, 6)).filteredOn(status -> status == 503).hasSizeGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void aBackendBurstEditedBelowAToolsCostIsRefusedAndTheLimitsInForceStay() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = start(config)) {
            BrokenCopies.replace(config, "rate: 50/s burst 10", "rate: 50/s burst 4");

            Await.until(Duration.ofSeconds(5), "the reload refused",
                    () -> !state(harness).path("lastReload").path("applied").asBoolean(true));
            assertThat(state(harness).path("lastReload").path("problems").get(0).asText()).isEqualTo(
                    dir.resolve("policies/inventory.yaml") + ":26: tools.ReserveStock.cost: cost 5 exceeds the burst 4 "
                            + "of backends.inventory.limits.rate in sidecar.yaml, so no call could pass (expected cost <= 4)");
            assertThat(concurrentGetStocks(harness, 8)).as("the burst of 10 in force").containsOnly(200);
        }
    }

    private static java.util.List<Integer> concurrentGetStocks(SidecarHarness harness, int calls) throws Exception {
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < calls; i++) {
                futures.add(pool.submit(() -> harness.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status()));
            }
            var statuses = new java.util.ArrayList<Integer>();
            for (var f : futures) {
                statuses.add(f.get());
            }
            return statuses;
        }
    }

    private static SidecarHarness start(Path config) {
        return SidecarHarness.start(config, s -> s, c -> c.withPolicyWatch(Duration.ofMillis(100)), sql -> { });
    }

    private static JsonNode state(SidecarHarness harness) {
        return harness.admin().get("/admin/policy", ADMIN_TOKEN).json();
    }
}
