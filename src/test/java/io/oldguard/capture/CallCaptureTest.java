package io.oldguard.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.CallRecorder;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.config.CaptureConfig;
import io.oldguard.config.ConfigLoader;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.PolicySet;
import io.oldguard.sql.SqlVerifier;
import io.oldguard.testing.Await;
import io.oldguard.testing.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallCaptureTest {

    private static final String SECRET_REF = "PO-735914";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final PolicySet policies = Setup.of(ConfigLoader.load(Path.of("sidecar.yaml")).withPolicies(TestPolicies.folderWith("""
            tools:
              ReserveStock:
                params:
                  OrderRef: { pattern: "^PO-[0-9]{6}$", sensitive: true }
            agents:
              order-bot: { tools: [GetStock, ReserveStock] }
            """)), "sidecar.yaml", SqlVerifier.NONE).policies();

    @Test
    void writesEachCallWithItsOutcomeTransportAndWhoDecided() throws Exception {
        Path file = dir.resolve("calls.jsonl");
        try (CallCapture capture = start(file, 1 << 20, 10_000)) {
            capture.record(call("GetStock", "r-1", JSON.createObjectNode().put("ItemID", 42)), CallRecorder.MCP, "ok", "backend");
            capture.record(call("GetStock", "r-2", JSON.createObjectNode().put("ItemID", "blue")), CallRecorder.JSON,
                    "invalid_arguments", "validation");
        }

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(second.path("agent").asText()).isEqualTo("order-bot");
        assertThat(second.path("tool").asText()).isEqualTo("GetStock");
        assertThat(second.path("arguments").path("ItemID").asText()).isEqualTo("blue");
        assertThat(second.path("transport").asText()).isEqualTo("json");
        assertThat(second.path("requestId").asText()).isEqualTo("r-2");
        assertThat(second.path("outcome").asText()).isEqualTo("invalid_arguments");
        assertThat(second.path("decidedBy").asText()).isEqualTo("validation");
        assertThat(Instant.parse(second.path("at").asText())).isEqualTo(Instant.parse("2026-12-03T07:43:41.770Z"));
    }

    @Test
    void sensitiveParametersAreWrittenAsAKeyedHashNeverInClear() throws Exception {
        Path file = dir.resolve("calls.jsonl");
        try (CallCapture capture = start(file, 1 << 20, 10_000)) {
            for (String id : List.of("r-1", "r-2")) {
                capture.record(call("ReserveStock", id, JSON.createObjectNode().put("ItemID", 7).put("Quantity", 1)
                        .put("OrderRef", SECRET_REF)), CallRecorder.JSON, "ok", "backend");
            }
        }

        String written = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(written).doesNotContain(SECRET_REF).doesNotContain("735914");
        List<String> lines = written.lines().toList();
        String first = JSON.readTree(lines.get(0)).path("arguments").path("OrderRef").asText();
        assertThat(first).startsWith(CallCapture.HASH_PREFIX);
        // Equal values show as equal, so an operator can still see an agent repeating itself.
        assertThat(JSON.readTree(lines.get(1)).path("arguments").path("OrderRef").asText()).isEqualTo(first);
        assertThat(JSON.readTree(lines.get(0)).path("arguments").path("Quantity").asInt()).isEqualTo(1);
    }

    @Test
    void rotatesTheFileWhenItReachesItsSize() throws Exception {
        Path file = dir.resolve("calls.jsonl");
        try (CallCapture capture = start(file, 4096, 10_000)) {
            for (int i = 0; i < 200; i++) {
                capture.record(call("GetStock", "r-" + i, JSON.createObjectNode().put("ItemID", i)), CallRecorder.JSON, "ok",
                        "backend");
            }
        }

        assertThat(Files.size(file)).isLessThanOrEqualTo(4096);
        assertThat(file.resolveSibling("calls.jsonl.1")).exists();
        assertThat(Files.size(file.resolveSibling("calls.jsonl.1"))).isLessThanOrEqualTo(4096);
        // maxFiles 2: older lines than the second copy are gone, none beyond it is kept.
        assertThat(file.resolveSibling("calls.jsonl.2")).exists();
        assertThat(file.resolveSibling("calls.jsonl.3")).doesNotExist();
        assertThat(Files.readAllLines(file).getLast()).contains("\"requestId\":\"r-199\"");
    }

    @Test
    void aFullDiskCostsLinesThatAreCountedNeverCalls() throws Exception {
        // /dev/full takes the open and fails every write with "No space left on device".
        try (CallCapture capture = start(Path.of("/dev/full"), 1 << 20, 10_000)) {
            for (int i = 0; i < 50; i++) {
                capture.record(call("GetStock", "r-" + i, JSON.createObjectNode().put("ItemID", i)), CallRecorder.JSON, "ok",
                        "backend");
            }
            Await.until(Duration.ofSeconds(10), "50 lines counted as lost", () -> dropped("write_failed") == 50);
        }
        assertThat(metrics.counter(MetricNames.CAPTURE_LINES).count()).isZero();
    }

    @Test
    void anUnwritableFileCostsLinesThatAreCounted() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        try (CallCapture capture = start(notADirectory.resolve("calls.jsonl"), 1 << 20, 10_000)) {
            capture.record(call("GetStock", "r-1", JSON.createObjectNode().put("ItemID", 1)), CallRecorder.JSON, "ok", "backend");
            Await.until(Duration.ofSeconds(10), "the line counted as lost", () -> dropped("write_failed") == 1);
        }
    }

    @Test
    void everyCallIsEitherWrittenOrCountedAsDroppedUnderABurst() throws Exception {
        Path file = dir.resolve("calls.jsonl");
        int calls = 20_000;
        try (CallCapture capture = start(file, 1L << 30, 16)) {
            for (int i = 0; i < calls; i++) {
                capture.record(call("GetStock", "r-" + i, JSON.createObjectNode().put("ItemID", i)), CallRecorder.JSON, "ok",
                        "backend");
            }
        }
        double written = metrics.counter(MetricNames.CAPTURE_LINES).count();
        System.out.printf("burst of %d calls into a queue of 16: %.0f written, %.0f dropped%n", calls, written, dropped("queue_full"));
        assertThat(written + dropped("queue_full")).isEqualTo(calls);
        assertThat(Files.readAllLines(file)).hasSize((int) written);
    }

    private double dropped(String reason) {
        return metrics.counter(MetricNames.CAPTURE_DROPPED, MetricNames.TAG_REASON, reason).count();
    }

    private CallCapture start(Path file, long maxFileBytes, int queue) {
        return CallCapture.start(new CaptureConfig(file.toString(), maxFileBytes, 2, queue, "KEY", null), file,
                "test-key".getBytes(StandardCharsets.UTF_8), () -> policies, Clock.systemUTC(), metrics);
    }

    private ToolCall call(String tool, String requestId, ObjectNode arguments) {
        Instant at = Instant.parse("2026-12-03T07:43:41.770Z");
        return new ToolCall(requestId, new Caller.Agent("order-bot"), policies.catalog().find(tool).orElseThrow(), arguments,
                at, at.plusSeconds(5));
    }
}
