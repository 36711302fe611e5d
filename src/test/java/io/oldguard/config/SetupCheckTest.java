package io.oldguard.config;

import static io.oldguard.config.BrokenCopies.copyOfShippedSetup;
import static io.oldguard.config.BrokenCopies.replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.oldguard.Setup;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oldguard check}'s engine: the shipped files load, and each broken copy is refused by file and key. */
class SetupCheckTest {

    @TempDir
    Path dir;

    @Test
    void acceptsTheShippedConfigurationWsdlAndPolicies() {
        Setup setup = Setup.load(Path.of("sidecar.yaml"));

        assertThat(setup.catalog().all()).extracting(t -> t.name())
                .containsExactly("GetStock", "ListItems", "ReserveStock", "item_reservations", "low_stock");
        assertThat(setup.config().agents()).containsOnlyKeys("support-bot", "order-bot");
        assertThat(setup.config().listeners().agent().port()).isEqualTo(8080);
        assertThat(setup.config().backends().get("inventory").timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(setup.policies().grants("support-bot", "GetStock")).isTrue();
        assertThat(setup.policies().grants("support-bot", "ReserveStock")).isFalse();
    }

    @Test
    void refusesAnUnknownKeyNamingFileKeyAndTheKnownKeys() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "maxConnections: 16", "maxConnection: 16");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .startsWith(config + ":" + lineOf(config, "maxConnection: 16") + ": backends.inventory: unknown key \"maxConnection\"")
                .contains("maxConnections"));
    }

    @Test
    void refusesAPortOutOfRange() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "port: 8080", "port: 80800");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .startsWith(config + ":" + lineOf(config, "port: 80800") + ": listeners.agent.port: must be less than or equal to 65535"));
    }

    @Test
    void refusesAMalformedDuration() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "timeout: 5s", "timeout: 5 seconds");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .startsWith(config + ":" + lineOf(config, "timeout: 5 seconds") + ": backends.inventory.timeout:").contains("250ms, 5s"));
    }

    @Test
    void refusesAnAgentWithoutTokenSource() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "tokenEnv: OLDGUARD_TOKEN_ORDER_BOT", "{}");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .isEqualTo(config + ":" + lineOf(config, "order-bot:") + ": agents.order-bot: set exactly one of tokenEnv (an environment variable name) or tokenFile (a path) (got neither)"));
    }

    @Test
    void refusesAMissingWsdlFile() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "wsdl: wsdl/inventory.wsdl", "wsdl: wsdl/inventroy.wsdl");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .startsWith(config + ":" + lineOf(config, "wsdl:") + ": backends.inventory.wsdl: file ").contains("does not exist"));
    }

    @Test
    void refusesYamlThatDoesNotParse() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "agents:\n", "agents: [\n");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p).startsWith(config + ":" + lineOf(config, "agents: [") + ": agents: "));
    }

    @Test
    void refusesABrokenWsdlNamingTheFile() {
        Path config = copyOfShippedSetup(dir);
        Path wsdl = dir.resolve("wsdl/inventory.wsdl");
        replace(wsdl, "</wsdl:definitions>", "");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p).startsWith(wsdl + ": not a readable WSDL"));
    }

    @Test
    void refusesAWsdlOperationInRpcStyle() {
        Path config = copyOfShippedSetup(dir);
        Path wsdl = dir.resolve("wsdl/inventory.wsdl");
        replace(wsdl, "<wsdl:part name=\"parameters\" element=\"tns:GetStockRequest\"/>",
                "<wsdl:part name=\"ItemID\" type=\"xs:int\"/>");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .isEqualTo(wsdl + ": operation GetStock: input part must reference an element (document/literal, not rpc)"));
    }

    @Test
    void refusesAPolicyNamingAnUnknownTool() {
        Path config = copyOfShippedSetup(dir);
        Path policy = dir.resolve("policies/inventory.yaml");
        replace(policy, "tools: [GetStock, ListItems, low_stock]\n", "tools: [GetStock, GetStocks, low_stock]\n");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .startsWith(policy + ":31: agents.support-bot.tools[1]: no such tool \"GetStocks\" (expected one of: GetStock, ListItems, ReserveStock, item_reservations, low_stock)"));
    }

    @Test
    void refusesAPolicyNamingAnUnknownAgent() {
        Path config = copyOfShippedSetup(dir);
        Path policy = dir.resolve("policies/inventory.yaml");
        replace(policy, "  order-bot:\n    tools:", "  orders-bot:\n    tools:");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .startsWith(policy + ":33: agents.orders-bot: no such agent in sidecar.yaml"));
    }

    @Test
    void reportsEveryProblemNotOnlyTheFirst() {
        Path config = copyOfShippedSetup(dir);
        Path policy = dir.resolve("policies/inventory.yaml");
        replace(policy, "tools: [GetStock, ListItems, low_stock]\n", "tools: [Nope]\n");
        replace(policy, "  GetStock:\n    timeout: 2s", "  GetStocks:\n    timeout: 2s");

        assertThat(problems(config)).hasSizeGreaterThanOrEqualTo(2);
    }

    private static java.util.List<String> problems(Path config) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Setup.load(config));
        assertThat(e).as("expected %s to be refused", config).isNotNull();
        return e.problems();
    }

    /** The 1-based line of the first line containing {@code text}, so expectations follow edits to the shipped file. */
    private static int lineOf(Path file, String text) {
        try {
            java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(text)) {
                    return i + 1;
                }
            }
            throw new AssertionError(text + " is not in " + file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
