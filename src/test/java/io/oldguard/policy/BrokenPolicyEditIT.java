package io.oldguard.policy;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.LogCapture;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of broken edit is refused as a whole: the last good set keeps working, and the problem, with its
 * file, line and key, is in the ERROR log, the metrics and {@code /admin/policy}, while {@code /readyz} stays ready.
 */
class BrokenPolicyEditIT {

    private static final String GOOD = """
            tools:
              GetStock:
                params:
                  ItemID: { minimum: 1, maximum: 9999999 }
              ListItems:
                params:
                  NameFilter: { pattern: "^[A-Za-z0-9 -]*$" }
            agents:
              support-bot:
                tools: [GetStock, ListItems]
            """;

    static Stream<Arguments> brokenEdits() {
        return Stream.of(
                Arguments.of("a YAML error", GOOD.replace("    tools: [GetStock, ListItems]", "    tools: [GetStock, ListItems\n  x: ]"),
                        ":11: not valid YAML"),
                Arguments.of("an unknown tool", GOOD.replace("[GetStock, ListItems]", "[GetStock, DropTables]"),
                        ":10: agents.support-bot.tools[1]: no such tool \"DropTables\""),
                Arguments.of("a loosening rule", GOOD.replace("minimum: 1,", "minimum: 0,"),
                        ":4: tools.GetStock.params.ItemID.minimum: loosens the XSD's minimum 1 with 0"),
                Arguments.of("a bad regex", GOOD.replace("^[A-Za-z0-9 -]*$", "^[A-Za-z0-9 -*$"),
                        ":7: tools.ListItems.params.NameFilter.pattern: the pattern \"^[A-Za-z0-9 -*$\" does not compile"),
                Arguments.of("a bad SQL tool", GOOD + """
                        sqlTools:
                          on_hand:
                            description: Stock on hand of one item.
                            sql: SELEC on_hand FROM inv WHERE item_id = :item_id
                            params:
                              item_id: { type: integer }
                        """, ":14: sqlTools.on_hand.sql: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenEdits")
    void isRefusedAndTheLastGoodSetKeepsWorking(String kind, String broken, String expected) throws Exception {
        String folder = TestPolicies.folderWith(GOOD);
        Path file = Path.of(folder, "test.yaml");
        try (SidecarHarness harness = SidecarHarness.start(s -> s,
                c -> c.withPolicies(folder).withPolicyWatch(Duration.ofMillis(100)));
                LogCapture log = new LogCapture(PolicyStore.class)) {
            Http admin = harness.admin();
            String version = state(admin).path("version").asText();

            Files.writeString(file, broken);

            Await.until(Duration.ofSeconds(5), "the edit refused",
                    () -> !state(admin).path("lastReload").path("applied").asBoolean(true));
            JsonNode state = state(admin);
            assertThat(state.path("version").asText()).isEqualTo(version);
            assertThat(state.path("lastReload").path("problems")).extracting(JsonNode::asText)
                    .anySatisfy(p -> assertThat(p).startsWith(file + expected));
            assertThat(log.events()).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(e.getFormattedMessage()).contains(file + expected);
            });
            assertThat(Metrics.value(admin, "oldguard_policy_reloads_total{result=\"failed\"}")).isEqualTo(1);
            assertThat(Metrics.value(admin, "oldguard_policy_last_reload_ok ")).isZero();
            assertThat(admin.get("/readyz", null).status()).isEqualTo(200);
            Http agent = harness.agent();
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 0}").status()).isEqualTo(422);
        }
    }

    private static JsonNode state(Http admin) {
        return admin.get("/admin/policy", ADMIN_TOKEN).json();
    }
}
