package io.oldguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oldguard.config.BrokenCopies;
import io.oldguard.testing.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {

    private static final String INCIDENT = "policies/examples/incident.jsonl";

    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void theIncidentReplayedAgainstTheShippedPoliciesHaltsTheAgentAtItsFirstCall() {
        assertThat(Main.run(new String[] {"check", "--replay", INCIDENT})).isZero();

        assertThat(console.out())
                .contains("support-bot: 40 calls, 0 allowed, 40 refused; halted at line 1 (invalid_arguments)")
                .contains("summary: 40 calls, 0 allowed, 40 refused; halted 39, invalid_arguments 1");
    }

    @Test
    void jsonFormatGivesCallsAgentsAndSummary() throws Exception {
        assertThat(Main.run(new String[] {"check", "--replay", INCIDENT, "--format", "json"})).isZero();

        JsonNode report = new ObjectMapper().readTree(console.out());
        JsonNode first = report.path("calls").get(0);
        assertThat(first.path("line").asInt()).isEqualTo(1);
        assertThat(first.path("agent").asText()).isEqualTo("support-bot");
        assertThat(first.path("tool").asText()).isEqualTo("GetStock");
        assertThat(first.path("outcome").asText()).isEqualTo("invalid_arguments");
        assertThat(first.has("recorded")).isTrue();
        assertThat(report.path("agents").path("support-bot").path("haltedAt").asInt()).isEqualTo(1);
        assertThat(report.path("summary").path("refused").asInt()).isEqualTo(40);
    }

    @Test
    void diffOfATighteningEditListsExactlyTheNewlyRefusedCallsAndExitsZero() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        Path tighter = editedCopy("maximum: 9999999 }", "maximum: 999999 }");
        Path calls = calls(List.of(
                call(0, "support-bot", "{\"ItemID\":5}"),
                call(100, "support-bot", "{\"ItemID\":1500000}"),
                call(200, "order-bot", "{\"ItemID\":2500000}"),
                call(300, "order-bot", "{\"ItemID\":7}")));

        assertThat(Main.run(new String[] {"check", "--config", config.toString(), "--replay", calls.toString(),
                "--diff", dir.resolve("policies").toString(), tighter.toString()})).isZero();

        // The shipped GetStock rule halts: order-bot's valid call after its newly invalid one is refused too.
        String report = console.out();
        assertThat(report).contains("3 call(s) change outcome: 3 newly refused, 0 let through, 0 refused otherwise");
        assertThat(report.lines().filter(l -> !l.startsWith("replay of")).map(String::stripTrailing)).containsExactly(
                "  order-bot",
                "    halt: halted",
                "      line 4      GetStock             allowed                -> halted                 newly refused",
                "    validation: invalid_arguments (ItemID:maximum)",
                "      line 3      GetStock             allowed                -> invalid_arguments      newly refused",
                "  support-bot",
                "    validation: invalid_arguments (ItemID:maximum)",
                "      line 2      GetStock             allowed                -> invalid_arguments      newly refused");
    }

    @Test
    void diffOfALooseningEditExitsWithTheLetThroughCode() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        Path looser = editedCopy("tools: [GetStock, ListItems, low_stock]", "tools: [GetStock, ListItems, low_stock, ReserveStock]");
        Path calls = calls(List.of(
                "{\"at\":\"2026-12-03T07:43:41Z\",\"agent\":\"support-bot\",\"tool\":\"ReserveStock\","
                        + "\"arguments\":{\"ItemID\":1,\"Quantity\":1,\"OrderRef\":\"PO-123456\"}}"));

        assertThat(Main.run(new String[] {"check", "--config", config.toString(), "--replay", calls.toString(),
                "--diff", dir.resolve("policies").toString(), looser.toString(), "--format", "json"}))
                .isEqualTo(ReplayCommand.LETS_THROUGH).isEqualTo(3);

        JsonNode report = new ObjectMapper().readTree(console.out());
        assertThat(report.path("letThrough").asInt()).isEqualTo(1);
        JsonNode change = report.path("changes").path("support-bot").path("permission: not_granted").get(0);
        assertThat(change.path("line").asInt()).isEqualTo(1);
        assertThat(change.path("after").asText()).isEqualTo("allowed");
    }

    @Test
    void aBadLineInTheCallFileIsReportedWithItsNumber() throws Exception {
        Path calls = calls(List.of(call(0, "support-bot", "{\"ItemID\":5}"), "{\"agent\":\"support-bot\"}"));

        assertThat(Main.run(new String[] {"check", "--replay", calls.toString()})).isEqualTo(1);

        assertThat(console.err()).contains(calls + ":2:");
    }

    private Path editedCopy(String from, String to) throws Exception {
        Path edited = BrokenCopies.copyOfShippedSetup(Files.createDirectories(dir.resolve("edited"))).resolveSibling("policies");
        BrokenCopies.replace(edited.resolve("inventory.yaml"), from, to);
        return edited;
    }

    private Path calls(List<String> lines) throws Exception {
        return Files.write(dir.resolve("calls.jsonl"), lines);
    }

    private static String call(long millis, String agent, String arguments) {
        return "{\"at\":\"" + java.time.Instant.parse("2026-12-03T07:43:41Z").plusMillis(millis) + "\",\"agent\":\""
                + agent + "\",\"tool\":\"GetStock\",\"arguments\":" + arguments + "}";
    }
}
