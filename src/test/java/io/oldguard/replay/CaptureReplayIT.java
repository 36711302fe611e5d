package io.oldguard.replay;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.Setup;
import io.oldguard.config.CaptureConfig;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.SidecarConfig;
import io.oldguard.sql.SqlVerifier;
import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic through a running sidecar with capture on, then {@code check --replay}'s engine on the file: the
 * same policies must decide every recorded call as the sidecar did.
 */
class CaptureReplayIT {

    private static final String POLICY = TestPolicies.folderWith("""
            tools:
              GetStock:
                params:
                  ItemID: { minimum: 1, maximum: 9999999 }
                onViolation: halt
                limits: { perAgent: "6/m burst 6" }
              ReserveStock:
                params:
                  OrderRef: { pattern: "^PO-[0-9]{6}$", sensitive: true }
                onViolation: reject
            agents:
              support-bot: { tools: [GetStock, ListItems] }
              order-bot: { tools: [GetStock, ListItems, ReserveStock] }
            """);

    @TempDir
    Path dir;

    @Test
    void replayAgainstTheSamePoliciesDecidesEveryRecordedCallAsTheSidecarDid() throws Exception {
        Path file = dir.resolve("calls.jsonl");
        List<Integer> statuses = new ArrayList<>();
        try (SidecarHarness harness = SidecarHarness.start(UnaryOperator.identity(), capturingTo(file))) {
            Http agent = harness.agent();
            statuses.add(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status());
            statuses.add(agent.post("/inventory", ORDER_TOKEN, "text/xml; charset=utf-8", """
                    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
                    xmlns:inv="http://legacy.example.com/inventory/2008"><soapenv:Body>\
                    <inv:GetStockRequest><inv:ItemID>43</inv:ItemID></inv:GetStockRequest></soapenv:Body></soapenv:Envelope>""")
                    .status());
            statuses.add(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 888888}").status());
            for (int i = 0; i < 6; i++) {
                statuses.add(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": " + (100 + i) + "}").status());
            }
            statuses.add(agent.postJson("/v1/tools/ListItems", ORDER_TOKEN, "{\"Category\": \"TOOLS\", \"Page\": 1}").status());
            statuses.add(agent.postJson("/v1/tools/ListItems", SUPPORT_TOKEN, "{\"Category\": \"TOOLS\", \"Page\": 1}").status());
            // Without OrderRef: a sensitive value is recorded as a hash, which a replay cannot check.
            statuses.add(agent.postJson("/v1/tools/ReserveStock", SUPPORT_TOKEN, "{\"ItemID\": 1, \"Quantity\": 1}").status());
            // Refused before it is decoded into a call (identity comes first on the agent port): not recorded.
            assertThat(agent.postJson("/v1/tools/GetStock", "not-a-known-token-0123456789", "{\"ItemID\": 42}").status())
                    .isEqualTo(401);
            statuses.add(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 7}").status());
            statuses.add(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": \"the-blue-widget\"}").status());
            statuses.add(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status());
            statuses.add(agent.postJson("/v1/tools/ListItems", SUPPORT_TOKEN, "{\"Category\": \"TOOLS\", \"Page\": 1}").status());
            Await.until(Duration.ofSeconds(10), "every call written", () -> lineCount(file) == statuses.size());
        }
        assertThat(statuses).contains(200, 422, 429, 403, 423);

        List<RecordedCall> recorded = CallFile.read(file);
        SidecarConfig config = ConfigLoader.load(Path.of("sidecar.yaml")).withPolicies(POLICY);
        List<Replay.Decided> replayed = Replay.run(config, Setup.of(config, "sidecar.yaml", SqlVerifier.NONE).policies(),
                recorded);

        assertThat(recorded).extracting(RecordedCall::outcome).contains("ok", "soap_client_fault", "rate_limited_tool",
                "not_granted", "invalid_arguments", "halted");
        assertThat(recorded).extracting(RecordedCall::transport).contains("json", "soap");
        assertThat(replayed).hasSize(statuses.size()).allSatisfy(d -> assertThat(d.outcome())
                .as("line %d: %s %s recorded %s", d.call().line(), d.call().agent(), d.call().tool(), d.call().outcome())
                .isEqualTo(d.call().expected()));
        assertThat(ReplaySummary.of(replayed).agents().get("support-bot").haltedAt()).isPositive();
    }

    @Test
    void sensitiveArgumentsNeverReachTheCaptureFileInClear() throws Exception {
        Path file = dir.resolve("calls.jsonl");
        try (SidecarHarness harness = SidecarHarness.start(UnaryOperator.identity(), capturingTo(file))) {
            Http agent = harness.agent();
            assertThat(agent.postJson("/v1/tools/ReserveStock", ORDER_TOKEN,
                    "{\"ItemID\": 3, \"Quantity\": 1, \"OrderRef\": \"PO-735914\"}").status()).isEqualTo(200);
            assertThat(agent.postJson("/v1/tools/ReserveStock", ORDER_TOKEN,
                    "{\"ItemID\": 3, \"Quantity\": 1, \"OrderRef\": \"PO-73591X\"}").status()).isEqualTo(422);
            Await.until(Duration.ofSeconds(10), "both calls written", () -> lineCount(file) == 2);
        }

        String captured = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(captured).doesNotContain("735914").doesNotContain("73591X").contains("\"ItemID\":3");
        assertThat(captured).contains("\"OrderRef\":\"hmac-sha256:");
    }

    private UnaryOperator<SidecarConfig> capturingTo(Path file) throws IOException {
        Path key = Files.writeString(dir.resolve("capture.key"), "capture-test-key-0123456789");
        return config -> config.withPolicies(POLICY)
                .withCapture(new CaptureConfig(file.toString(), null, null, null, null, key.toString()));
    }

    private static long lineCount(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            return -1;
        }
    }
}
