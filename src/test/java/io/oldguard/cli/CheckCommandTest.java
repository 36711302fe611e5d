package io.oldguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oldguard.config.BrokenCopies;
import io.oldguard.testing.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void exitsZeroOnTheShippedFiles() {
        assertThat(Main.run(new String[] {"check"})).isZero();
        assertThat(console.out()).startsWith("ok: sidecar.yaml — 5 tools (3 SOAP operations of "
                + "1 backend(s), 2 SQL tools on 1 database(s)), 2 agents, policy version ");
    }

    @Test
    void exitsOneWithOneLinePerProblem() {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "port: 9901", "port: -1");

        assertThat(Main.run(new String[] {"check", "--config", config.toString()})).isEqualTo(1);
        assertThat(console.err())
                .contains("error: " + config + ":6: listeners.admin.port: must be greater than or equal to 0")
                .contains("1 problem(s) found");
    }

    @Test
    void jsonFormatGivesEachProblemsFileLineAndKey() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(dir.resolve("policies/inventory.yaml"), "minimum: 1, maximum: 9999999", "minimum: 0, maximum: 9999999");

        assertThat(Main.run(new String[] {"check", "--config", config.toString(), "--format", "json"})).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(console.out());
        assertThat(report.path("ok").asBoolean(true)).isFalse();
        JsonNode problem = report.path("problems").get(0);
        assertThat(problem.path("file").asText()).isEqualTo(dir.resolve("policies/inventory.yaml").toString());
        assertThat(problem.path("line").asInt()).isEqualTo(9);
        assertThat(problem.path("key").asText()).isEqualTo("tools.GetStock.params.ItemID.minimum");
        assertThat(problem.path("message").asText()).startsWith("loosens the XSD's minimum 1 with 0");
    }

    @Test
    void diffSaysWhichRulesAndGrantsAPolicyChangeTightensOrLoosens() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        Path edited = BrokenCopies.copyOfShippedSetup(Files.createDirectories(dir.resolve("edited"))).resolveSibling("policies");
        Path policy = edited.resolve("inventory.yaml");
        BrokenCopies.replace(policy, "maximum: 9999999 }", "maximum: 999999 }");
        BrokenCopies.replace(policy, "tools: [GetStock, ListItems, low_stock]", "tools: [GetStock, ListItems, low_stock, ReserveStock]");
        BrokenCopies.replace(policy, "  ListItems:\n    timeout: 3s\n    params:\n      Page: { maximum: 500 }",
                "  ListItems:\n    timeout: 3s\n    params:\n      Page: { maximum: 600 }");

        assertThat(Main.run(new String[] {"check", "--config", config.toString(), "--diff", dir.resolve("policies").toString(),
                edited.toString()})).isZero();
        assertThat(console.out())
                .contains("3 change(s)")
                .contains("loosened  agents.support-bot.tools: now ReserveStock")
                .contains("tightened tools.GetStock.params.ItemID.maximum: 9999999 -> 999999")
                .contains("loosened  tools.ListItems.params.Page.maximum: 500 -> 600");
    }

    @Test
    void diffJudgesAParametersActionByWhatItDoesInEffect() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        Path edited = BrokenCopies.copyOfShippedSetup(Files.createDirectories(dir.resolve("edited"))).resolveSibling("policies");
        Path policy = edited.resolve("inventory.yaml");
        // GetStock halts; its ItemID rule now only observes. And ReserveStock's OrderRef loses its pattern.
        BrokenCopies.replace(policy, "ItemID: { minimum: 1, maximum: 9999999 }",
                "ItemID: { minimum: 1, maximum: 9999999, onViolation: observe }");
        BrokenCopies.replace(policy, "      OrderRef: { pattern: \"^PO-[0-9]{6}$\" }       # the order portal issues six-digit references\n", "");

        assertThat(Main.run(new String[] {"check", "--config", config.toString(), "--diff", dir.resolve("policies").toString(),
                edited.toString()})).isZero();
        assertThat(console.out())
                .contains("loosened  tools.GetStock.params.ItemID.onViolation: HALT -> OBSERVE")
                .contains("loosened  tools.ReserveStock.params.OrderRef.pattern: no longer ^PO-[0-9]{6}$");
    }

    @Test
    void toolsPrintsTheGeneratedSchemas() {
        assertThat(Main.run(new String[] {"tools", "--format", "openai"})).isZero();
        assertThat(console.out()).contains("\"type\" : \"function\"").contains("\"ItemID\"");
    }

    @Test
    void anUnknownOptionIsRefusedRatherThanIgnored() {
        assertThat(Main.run(new String[] {"check", "--fromat", "json"})).isEqualTo(2);
    }

    @Test
    void unknownCommandExitsTwo() {
        assertThat(Main.run(new String[] {"frobnicate"})).isEqualTo(2);
    }
}
