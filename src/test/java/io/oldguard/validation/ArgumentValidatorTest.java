package io.oldguard.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.Setup;
import io.oldguard.catalog.Tool;
import io.oldguard.policy.ParamRule;
import io.oldguard.policy.ToolPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every facet kind at its boundary, on the shipped WSDL and policy: the last valid value passes, the next fails. */
class ArgumentValidatorTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theIncidentsStringItemIdIsATypeViolationWithAnActionableSentence() {
        List<Violation> violations = validate("GetStock", "{\"ItemID\": \"the-blue-widget\"}");

        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("ItemID");
            assertThat(v.rule()).isEqualTo("type");
            assertThat(v.rejected()).isEqualTo("the-blue-widget");
            assertThat(v.expected()).isEqualTo("an integer from 1 to 9999999");
            assertThat(v.message()).isEqualTo(
                    "ItemID must be an integer from 1 to 9999999; you sent the string \"the-blue-widget\".");
        });
    }

    @Test
    void rangeBoundariesFromXsdAndPolicy() {
        assertThat(validate("GetStock", "{\"ItemID\": 1}")).isEmpty();
        assertThat(validate("GetStock", "{\"ItemID\": 9999999}")).isEmpty();
        assertThat(rules("GetStock", "{\"ItemID\": 0}")).containsExactly("minimum");
        assertThat(rules("GetStock", "{\"ItemID\": 10000000}")).containsExactly("maximum");
        assertThat(validate("ReserveStock", "{\"ItemID\": 1, \"Quantity\": 50, \"OrderRef\": \"PO-000001\"}")).isEmpty();
        assertThat(rules("ReserveStock", "{\"ItemID\": 1, \"Quantity\": 51, \"OrderRef\": \"PO-000001\"}")).containsExactly("maximum");
    }

    @Test
    void typeIsCheckedBeforeRange() {
        assertThat(rules("GetStock", "{\"ItemID\": \"42\"}")).containsExactly("type");
        assertThat(rules("GetStock", "{\"ItemID\": 42.5}")).containsExactly("type");
        assertThat(rules("GetStock", "{\"ItemID\": true}")).containsExactly("type");
        assertThat(rules("GetStock", "{\"ItemID\": [42]}")).containsExactly("type");
        assertThat(rules("GetStock", "{\"ItemID\": 1e400}")).containsExactly("type");
        assertThat(validate("GetStock", "{\"ItemID\": 42.0}")).isEmpty();
    }

    @Test
    void patternBoundaryAndBothPatternsApply() {
        assertThat(validate("ReserveStock", "{\"ItemID\": 1, \"Quantity\": 1, \"OrderRef\": \"PO-999999\"}")).isEmpty();
        // Allowed by the XSD (4 to 10 digits) but not by the policy (exactly 6).
        assertThat(rules("ReserveStock", "{\"ItemID\": 1, \"Quantity\": 1, \"OrderRef\": \"PO-1234567\"}")).containsExactly("pattern");
        // Broken against both.
        assertThat(rules("ReserveStock", "{\"ItemID\": 1, \"Quantity\": 1, \"OrderRef\": \"XX-123456\"}"))
                .containsExactly("pattern", "pattern");
    }

    @Test
    void aTrailingLineBreakDoesNotSlipPastAnAnchoredPattern() {
        assertThat(rules("ReserveStock", "{\"ItemID\": 1, \"Quantity\": 1, \"OrderRef\": \"PO-123456\\n\"}"))
                .containsExactly("pattern", "pattern");
    }

    @Test
    void enumerationIsExact() {
        assertThat(validate("ListItems", "{\"Category\": \"GARDEN\", \"Page\": 1}")).isEmpty();
        assertThat(rules("ListItems", "{\"Category\": \"garden\", \"Page\": 1}")).containsExactly("enum");
        assertThat(validate("ListItems", "{\"Category\": \"garden\", \"Page\": 1}").get(0).expected())
                .isEqualTo("one of TOOLS, HARDWARE, ELECTRICAL, PLUMBING, GARDEN");
    }

    @Test
    void lengthBoundaryCountsCharacters() {
        String thirty = "a".repeat(30);
        assertThat(validate("ListItems", "{\"Category\": \"TOOLS\", \"Page\": 1, \"NameFilter\": \"" + thirty + "\"}")).isEmpty();
        assertThat(rules("ListItems", "{\"Category\": \"TOOLS\", \"Page\": 1, \"NameFilter\": \"" + thirty + "a\"}"))
                .containsExactly("maxLength");
    }

    @Test
    void requiredParametersMustBePresentAndNotNull() {
        assertThat(rules("ListItems", "{\"Category\": \"TOOLS\"}")).containsExactly("required");
        assertThat(rules("ListItems", "{\"Category\": \"TOOLS\", \"Page\": null}")).containsExactly("required");
        assertThat(validate("ListItems", "{\"Category\": \"TOOLS\", \"Page\": 1, \"NameFilter\": null}")).isEmpty();
    }

    @Test
    void unknownParametersAreRefused() {
        assertThat(rules("GetStock", "{\"ItemID\": 1, \"Warehouse\": \"WH-1\"}")).containsExactly("unknown");
    }

    @Test
    void controlCharactersAreRefusedBeforeTheyCanBreakTheEnvelope() {
        assertThat(rules("ListItems", "{\"Category\": \"TOOLS\", \"Page\": 1, \"NameFilter\": \"a\\u0000b\"}"))
                .containsExactly("characters");
    }

    @Test
    void reportsEveryViolationNotOnlyTheFirst() {
        List<Violation> violations = validate("ReserveStock", "{\"ItemID\": \"x\", \"Quantity\": 0, \"OrderRef\": 7, \"Extra\": 1}");

        assertThat(violations).extracting(Violation::path).containsExactly("Extra", "ItemID", "Quantity", "OrderRef");
    }

    @Test
    void sensitiveParametersAreRedacted() {
        Tool tool = SETUP.catalog().find("ReserveStock").orElseThrow();
        ParamRule secret = new ParamRule(null, null, null, null, null, null, null, true, null);
        ToolContract contract = ContractBuilder.build(tool, new ToolPolicy(null, Map.of("OrderRef", secret), null, null, null, null, null),
                (k, m) -> { throw new AssertionError(m); });

        List<Violation> violations = ArgumentValidator.validate(contract,
                json("{\"ItemID\": 1, \"Quantity\": 1, \"OrderRef\": \"PO-secret-customer\"}"));

        assertThat(violations).allSatisfy(v -> {
            assertThat(v.rejected()).isEqualTo("[redacted]");
            assertThat(v.message()).doesNotContain("secret-customer");
        });
    }

    @Test
    void longRejectedValuesAreTruncated() {
        List<Violation> violations = validate("GetStock", "{\"ItemID\": \"" + "z".repeat(10_000) + "\"}");

        assertThat(violations.get(0).rejected()).hasSizeLessThan(100);
        assertThat(violations.get(0).message()).hasSizeLessThan(200);
    }

    private static List<Violation> validate(String tool, String arguments) {
        return ArgumentValidator.validate(SETUP.policies().contract(tool), json(arguments));
    }

    private static List<String> rules(String tool, String arguments) {
        return validate(tool, arguments).stream().map(Violation::rule).toList();
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
