package io.oldguard.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.Setup;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.SidecarConfig;
import io.oldguard.policy.PolicySet;
import io.oldguard.sql.SqlVerifier;
import io.oldguard.testing.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTest {

    private static final SidecarConfig CONFIG = ConfigLoader.load(Path.of("sidecar.yaml"));
    private static final Instant T0 = Instant.parse("2026-12-03T07:43:41.000Z");

    @TempDir
    Path dir;

    private final List<String> lines = new ArrayList<>();

    @Test
    void theIncidentAgentIsHaltedAtItsFirstCallByTheShippedPolicies() {
        List<RecordedCall> incident = CallFile.read(Path.of("policies/examples/incident.jsonl"));

        List<Replay.Decided> decided = Replay.run(CONFIG, shipped(), incident);

        assertThat(decided.get(0).outcome()).isEqualTo("invalid_arguments");
        assertThat(decided.get(0).halted()).isNotNull();
        assertThat(decided.subList(1, decided.size())).allSatisfy(d -> assertThat(d.outcome()).isEqualTo("halted"));
        ReplaySummary summary = ReplaySummary.of(decided);
        assertThat(summary.agents().get("support-bot").haltedAt()).isEqualTo(1);
        assertThat(summary.allowed()).isZero();
    }

    @Test
    void rateLimitsRefillOnTheRecordedTimestampsNotOnWallTime() throws IOException {
        PolicySet policies = policies("""
                tools:
                  GetStock:
                    limits: { perAgent: "1/s burst 2" }
                agents:
                  support-bot: { tools: [GetStock] }
                """);
        call(0, "support-bot", "GetStock", "{\"ItemID\":1}");
        call(10, "support-bot", "GetStock", "{\"ItemID\":2}");
        call(20, "support-bot", "GetStock", "{\"ItemID\":3}");
        call(2_020, "support-bot", "GetStock", "{\"ItemID\":4}");

        assertThat(outcomes(Replay.run(CONFIG, policies, file())))
                .containsExactly("allowed", "allowed", "rate_limited_tool", "allowed");
    }

    @Test
    void recordedBackendRefusalsInARowHaltTheAgentAsTheErrorStreakDid() throws IOException {
        // The shipped error streak: 10 backend refusals in a row within 60 s.
        for (int i = 0; i < 10; i++) {
            lines.add(line(i * 100, "support-bot", "GetStock", "{\"ItemID\":" + (9_000_000 + i) + "}", "soap_client_fault", "backend"));
        }
        call(1_100, "support-bot", "GetStock", "{\"ItemID\":42}");

        List<Replay.Decided> decided = Replay.run(CONFIG, shipped(), file());

        assertThat(decided.get(9).halted()).isNotNull();
        assertThat(decided.get(9).halted().reason()).isEqualTo("error_streak");
        assertThat(decided.get(10).outcome()).isEqualTo("halted");
    }

    @Test
    void aSuccessInTheMiddleEndsTheRecordedStreak() throws IOException {
        for (int i = 0; i < 10; i++) {
            lines.add(line(i * 100, "support-bot", "GetStock", "{\"ItemID\":" + (9_000_000 + i) + "}",
                    i == 5 ? "ok" : "soap_client_fault", "backend"));
        }
        call(1_100, "support-bot", "GetStock", "{\"ItemID\":42}");

        assertThat(outcomes(Replay.run(CONFIG, shipped(), file()))).containsOnly("allowed");
    }

    @Test
    void identityIsByAgentIdAndAnUnknownOneIsUnauthenticated() throws IOException {
        call(0, "intruder-bot", "GetStock", "{\"ItemID\":1}");
        lines.add("{\"at\":\"" + T0 + "\",\"agent\":null,\"tool\":\"GetStock\",\"arguments\":{\"ItemID\":1}}");
        call(0, "support-bot", "ReserveStock", "{\"ItemID\":1,\"Quantity\":1,\"OrderRef\":\"PO-123456\"}");

        assertThat(outcomes(Replay.run(CONFIG, shipped(), file())))
                .containsExactly("unauthenticated", "unauthenticated", "not_granted");
    }

    @Test
    void aCallWithAHashedSensitiveValueIsReportedUnverifiableNotGuessed() throws IOException {
        call(0, "order-bot", "ReserveStock", "{\"ItemID\":1,\"Quantity\":1,\"OrderRef\":\"hmac-sha256:00ff\"}");

        Replay.Decided decided = Replay.run(CONFIG, shipped(), file()).get(0);

        assertThat(decided.outcome()).isEqualTo(Replay.UNVERIFIABLE);
        assertThat(decided.refused()).isFalse();
        assertThat(decided.allowed()).isFalse();
    }

    @Test
    void callsAreDecidedInTheOrderTheyWereReceivedAndReportedInLineOrder() throws IOException {
        PolicySet policies = policies("""
                tools:
                  GetStock:
                    limits: { perAgent: "1/m burst 1" }
                agents:
                  support-bot: { tools: [GetStock] }
                """);
        // Written as the calls finished: the slow first call's line comes after the second one's.
        call(50, "support-bot", "GetStock", "{\"ItemID\":2}");
        call(0, "support-bot", "GetStock", "{\"ItemID\":1}");

        assertThat(outcomes(Replay.run(CONFIG, policies, file()))).containsExactly("rate_limited_tool", "allowed");
    }

    @Test
    void diffOfATighteningEditListsTheCallsItNewlyRefuses() throws IOException {
        call(0, "support-bot", "GetStock", "{\"ItemID\":5}");
        call(100, "support-bot", "GetStock", "{\"ItemID\":1500000}");
        call(200, "order-bot", "GetStock", "{\"ItemID\":7}");
        List<RecordedCall> calls = file();
        PolicySet tighter = policies("""
                tools:
                  GetStock:
                    params:
                      ItemID: { maximum: 999999 }
                    onViolation: reject
                agents:
                  support-bot: { tools: [GetStock] }
                  order-bot: { tools: [GetStock] }
                """);

        List<ReplayDiff.Change> changes = ReplayDiff.between(Replay.run(CONFIG, shipped(), calls), Replay.run(CONFIG, tighter, calls));

        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.call().line()).isEqualTo(2);
            assertThat(c.kind()).isEqualTo(ReplayDiff.Kind.NEWLY_REFUSED);
            assertThat(c.rule()).isEqualTo("validation: invalid_arguments (ItemID:maximum)");
        });
        assertThat(ReplayDiff.letsThrough(changes)).isFalse();
    }

    private PolicySet shipped() {
        return Setup.of(CONFIG, "sidecar.yaml", SqlVerifier.NONE).policies();
    }

    private PolicySet policies(String yaml) {
        return Setup.of(CONFIG.withPolicies(TestPolicies.folderWith(yaml)), "sidecar.yaml", SqlVerifier.NONE).policies();
    }

    private void call(long millis, String agent, String tool, String arguments) {
        lines.add(line(millis, agent, tool, arguments, null, null));
    }

    private static String line(long millis, String agent, String tool, String arguments, String outcome, String decidedBy) {
        return "{\"at\":\"" + T0.plusMillis(millis) + "\",\"agent\":\"" + agent + "\",\"tool\":\"" + tool
                + "\",\"arguments\":" + arguments + (outcome == null ? "" : ",\"outcome\":\"" + outcome
                + "\",\"decidedBy\":\"" + decidedBy + "\"") + "}";
    }

    private List<RecordedCall> file() throws IOException {
        Path file = dir.resolve("calls.jsonl");
        Files.write(file, lines);
        return CallFile.read(file);
    }

    private static List<String> outcomes(List<Replay.Decided> decided) {
        return decided.stream().map(Replay.Decided::outcome).toList();
    }
}
