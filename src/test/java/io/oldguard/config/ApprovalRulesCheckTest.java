package io.oldguard.config;

import static io.oldguard.config.BrokenCopies.copyOfShippedSetup;
import static io.oldguard.config.BrokenCopies.replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.oldguard.Setup;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy's {@code approval:} is checked like every other rule: by file, line and key. */
class ApprovalRulesCheckTest {

    private static final String SHIPPED = "approval: { when: { Quantity: { minimum: 20 } }, ttl: 15m }";

    @TempDir
    Path dir;

    private Path config;
    private Path policy;

    @BeforeEach
    void copy() {
        config = copyOfShippedSetup(dir);
        policy = dir.resolve("policies/inventory.yaml");
    }

    @Test
    void acceptsTheShippedRule() {
        assertThat(Setup.load(config).policies().tools().get("ReserveStock").approval().ttl()).hasMinutes(15);
    }

    @Test
    void refusesAConditionOnAParameterTheToolDoesNotHave() {
        replace(policy, SHIPPED, "approval: { when: { Qty: { minimum: 20 } } }");

        assertThat(problems()).containsExactly(policy + ":27: tools.ReserveStock.approval.when.Qty: no such parameter of "
                + "ReserveStock (expected one of: ItemID, Quantity, OrderRef)");
    }

    @Test
    void refusesABoundOnAText() {
        replace(policy, SHIPPED, "approval: { when: { OrderRef: { minimum: 20 } } }");

        assertThat(problems()).containsExactly(policy + ":27: tools.ReserveStock.approval.when.OrderRef: minimum and "
                + "maximum need a number, but OrderRef is a string (expected enum)");
    }

    @Test
    void refusesAnEmptyCondition() {
        replace(policy, SHIPPED, "approval: { when: { Quantity: {} } }");

        assertThat(problems()).containsExactly(policy + ":27: tools.ReserveStock.approval.when.Quantity: empty "
                + "(expected minimum, maximum or enum)");
    }

    @Test
    void refusesATtlOfZero() {
        replace(policy, SHIPPED, "approval: { ttl: 0s }");

        assertThat(problems()).containsExactly(policy + ":27: tools.ReserveStock.approval.ttl: must be longer than 0ms "
                + "and at most 24h (got PT0S)");
    }

    @Test
    void refusesAnUnknownMember() {
        replace(policy, SHIPPED, "approval: { when: { Quantity: { above: 20 } } }");

        assertThat(problems()).singleElement().asString().startsWith(policy + ":27:").contains("above");
    }

    @Test
    void aDiffCallsTakingTheApprovalOutALoosening() throws Exception {
        Path edited = copyOfShippedSetup(java.nio.file.Files.createDirectories(dir.resolve("edited"))).resolveSibling("policies");
        replace(edited.resolve("inventory.yaml"), SHIPPED, "");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(io.oldguard.cli.MainAccess.run("check", "--config", config.toString(), "--diff",
                    dir.resolve("policies").toString(), edited.toString())).isZero();
        } finally {
            System.setOut(original);
        }

        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("loosened  tools.ReserveStock.approval");
    }

    private List<String> problems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Setup.load(config));
        assertThat(e).as("expected the policy to be refused").isNotNull();
        return e.problems();
    }
}
