package io.oldguard.policy;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Policy edits apply without a restart; a broken edit never replaces the set in force. */
class PolicyReloadIT {

    private static final String GRANTS = """
            agents:
              support-bot:
                tools: [%s]
            """;

    @Test
    void anEditedPolicyIsAppliedWithoutARestart() throws Exception {
        String folder = TestPolicies.folderWith(GRANTS.formatted("GetStock, ListItems"));
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> c.withPolicies(folder).withPolicyWatch(Duration.ofMillis(100)))) {
            Http agent = harness.agent();
            String before = policies(harness).path("version").asText();
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);

            Files.writeString(Path.of(folder, "test.yaml"), GRANTS.formatted("ListItems"));

            await(() -> agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status() == 403);
            JsonNode state = policies(harness);
            assertThat(state.path("version").asText()).isNotEqualTo(before);
            assertThat(state.path("lastReload").path("applied").asBoolean()).isTrue();
            assertThat(agent.get("/v1/tools", SUPPORT_TOKEN).json().path("tools")).extracting(t -> t.path("name").asText())
                    .containsExactly("ListItems");
        }
    }

    @Test
    void aBrokenEditIsRefusedAndTheLastGoodSetStaysInForce() throws Exception {
        String folder = TestPolicies.folderWith(GRANTS.formatted("GetStock"));
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> c.withPolicies(folder).withPolicyWatch(Duration.ofMillis(100)))) {
            Http agent = harness.agent();
            String version = policies(harness).path("version").asText();

            Files.writeString(Path.of(folder, "test.yaml"), GRANTS.formatted("GetStock, DropTables"));

            await(() -> !policies(harness).path("lastReload").path("applied").asBoolean());
            JsonNode state = policies(harness);
            assertThat(state.path("version").asText()).isEqualTo(version);
            assertThat(state.path("lastReload").path("problems").get(0).asText())
                    .startsWith(Path.of(folder, "test.yaml") + ":3: agents.support-bot.tools[1]: no such tool \"DropTables\"");
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
            assertThat(harness.admin().postJson("/v1/policies/reload", ADMIN_TOKEN, "").status()).isEqualTo(422);
        }
    }

    private static JsonNode policies(SidecarHarness harness) {
        return harness.admin().get("/v1/policies", ADMIN_TOKEN).json();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 100 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("condition reached within 5 s").isTrue();
    }
}
