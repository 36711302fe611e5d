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

/** Policy rules may only tighten the XSD; everything else is refused by file, line and key. */
class PolicyRulesCheckTest {

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
    void refusesAMinimumBelowTheXsd() {
        replace(policy, "ItemID: { minimum: 1, maximum: 9999999 }", "ItemID: { minimum: 0, maximum: 9999999 }");

        assertThat(problems()).containsExactly(policy + ":9: tools.GetStock.params.ItemID.minimum: loosens the XSD's minimum 1 with 0 (a policy may only tighten)");
    }

    @Test
    void refusesAMaximumAboveTheXsd() {
        replace(policy, "Quantity: { maximum: 50 }", "Quantity: { maximum: 5000 }");

        assertThat(problems()).containsExactly(policy + ":23: tools.ReserveStock.params.Quantity.maximum: loosens the XSD's maximum 500 with 5000 (a policy may only tighten)");
    }

    @Test
    void refusesAMaxLengthAboveTheXsd() {
        replace(policy, "maxLength: 30", "maxLength: 41");

        assertThat(problems()).containsExactly(policy + ":17: tools.ListItems.params.NameFilter.maxLength: loosens the XSD's maxLength 40 (a policy may only tighten)");
    }

    @Test
    void refusesAnEnumerationValueTheXsdDoesNotHave() {
        replace(policy, "Page: { maximum: 500 }", "Page: { maximum: 500 }\n      Category: { enum: [TOOLS, TOYS] }");

        assertThat(problems()).singleElement().asString()
                .startsWith(policy + ":17: tools.ListItems.params.Category.enum: loosens the XSD's enumeration: [TOYS]");
    }

    @Test
    void refusesMakingARequiredParameterOptional() {
        replace(policy, "Quantity: { maximum: 50 }", "Quantity: { maximum: 50, required: false }");

        assertThat(problems()).singleElement().asString()
                .startsWith(policy + ":23: tools.ReserveStock.params.Quantity.required: loosens the XSD");
    }

    @Test
    void refusesARegexThatDoesNotCompile() {
        replace(policy, "\"^PO-[0-9]{6}$\"", "\"^PO-[0-9{6}$\"");

        assertThat(problems()).singleElement().asString()
                .startsWith(policy + ":24: tools.ReserveStock.params.OrderRef.pattern: the pattern \"^PO-[0-9{6}$\" does not compile");
    }

    @Test
    void reportsARegexErrorAgainstThePatternAsWritten() {
        replace(policy, "\"^PO-[0-9]{6}$\"", "\"^PO-[0-9{6}$\"");

        assertThat(problems()).singleElement().asString()
                .contains("does not compile: Unclosed character class").doesNotContain("escape sequence");
    }

    @Test
    void refusesAnUnknownParameter() {
        replace(policy, "Quantity: { maximum: 50 }", "Qty: { maximum: 50 }");

        assertThat(problems()).containsExactly(policy + ":23: tools.ReserveStock.params.Qty: no such parameter of ReserveStock (expected one of: ItemID, Quantity, OrderRef)");
    }

    @Test
    void refusesAnUnknownTool() {
        replace(policy, "  GetStock:\n    timeout: 2s", "  GetStocks:\n    timeout: 2s");

        assertThat(problems()).anySatisfy(p -> assertThat(p)
                .startsWith(policy + ":6: tools.GetStocks: no such tool (expected one of: GetStock, ListItems, ReserveStock, item_reservations, low_stock)"));
    }

    @Test
    void refusesAnUnknownAction() {
        replace(policy, "onViolation: halt\n    limits: { perAgent", "onViolation: explode\n    limits: { perAgent");

        assertThat(problems()).singleElement().asString()
                .startsWith(policy + ":10: tools.GetStock.onViolation: expected halt, reject or observe (got \"explode\")");
    }

    @Test
    void refusesARangeOnAString() {
        replace(policy, "OrderRef: { pattern: \"^PO-[0-9]{6}$\" }", "OrderRef: { maximum: 5 }");

        assertThat(problems()).containsExactly(policy + ":24: tools.ReserveStock.params.OrderRef: minimum/maximum apply to numbers; OrderRef is a string");
    }

    @Test
    void refusesACostAboveTheBurstOfItsBackendsRate() {
        replace(policy, "cost: 5 ", "cost: 11 ");

        assertThat(problems()).containsExactly(policy + ":26: tools.ReserveStock.cost: cost 11 exceeds the burst 10 of "
                + "backends.inventory.limits.rate in sidecar.yaml, so no call could pass (expected cost <= 10)");
    }

    @Test
    void refusesABackendBurstBelowACostAtTheCostItNoLongerFits() {
        replace(config, "rate: 50/s burst 10", "rate: 50/s burst 4");

        assertThat(problems()).containsExactly(policy + ":26: tools.ReserveStock.cost: cost 5 exceeds the burst 4 of "
                + "backends.inventory.limits.rate in sidecar.yaml, so no call could pass (expected cost <= 4)");
    }

    @Test
    void refusesAShareThatIsNotAboveZero() {
        replace(policy, "    limits: { rate: \"10/s burst 20\" }", "    limits: { rate: \"10/s burst 20\" }\n    share: 0");

        assertThat(problems()).containsExactly(policy + ":33: agents[support-bot].share: must be greater than 0 (got 0.0)");
    }

    private List<String> problems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Setup.load(config));
        assertThat(e).as("expected the policy to be refused").isNotNull();
        return e.problems();
    }
}
