package io.oldguard.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.Tool;
import io.oldguard.catalog.WsdlCatalog;
import io.oldguard.policy.ParamRule;
import io.oldguard.policy.ToolPolicy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * XSD exclusive bounds ({@code xs:minExclusive}, {@code xs:maxExclusive}) stay exclusive on decimals, in validation
 * and in the JSON Schema; on integer types the inclusive neighbour is the same set of values.
 */
class ExclusiveBoundsTest {

    private static final Tool SET_PRICE = WsdlCatalog.read("pricing", Path.of("src/test/resources/wsdl/pricing.wsdl"))
            .get(0);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> problems = new ArrayList<>();

    @Test
    void aDecimalJustInsideExclusiveBoundsPassesAndTheBoundsThemselvesDoNot() {
        ToolContract contract = contract(ToolPolicy.defaults());

        assertThat(rules(contract, "0.01", "0.5", "1")).isEmpty();
        assertThat(rules(contract, "999.99", "0.5", "1")).isEmpty();
        assertThat(rules(contract, "0", "0.5", "1")).containsExactly("Price:minimum");
        assertThat(rules(contract, "1000", "0.5", "1")).containsExactly("Price:maximum");
        assertThat(problems).isEmpty();
    }

    @Test
    void theExpectationSaysGreaterThanAndLessThan() {
        List<Violation> violations = ArgumentValidator.validate(contract(ToolPolicy.defaults()),
                args("0", "0.5", "1"));

        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.expected()).isEqualTo("a number greater than 0 and less than 1000");
            assertThat(v.message()).isEqualTo("Price must be a number greater than 0 and less than 1000; you sent the number 0.");
        });
    }

    @Test
    void anExclusiveBoundBeatsAnInclusiveOneAtTheSameValueInTheDerivationChain() {
        ToolContract contract = contract(ToolPolicy.defaults());

        assertThat(rules(contract, "1", "0", "1")).containsExactly("Margin:minimum");
        assertThat(rules(contract, "1", "0.001", "1")).isEmpty();
        assertThat(rules(contract, "1", "0.5", "1")).isEmpty();
    }

    @Test
    void theJsonSchemaStatesExclusiveBoundsExactly() {
        JsonNode properties = contract(ToolPolicy.defaults()).inputSchema().path("properties");

        assertThat(properties.path("Price").path("exclusiveMinimum").decimalValue()).isEqualByComparingTo("0");
        assertThat(properties.path("Price").path("exclusiveMaximum").decimalValue()).isEqualByComparingTo("1000");
        assertThat(properties.path("Price").has("minimum")).isFalse();
        assertThat(properties.path("Price").has("maximum")).isFalse();
        assertThat(properties.path("Margin").path("exclusiveMinimum").decimalValue()).isEqualByComparingTo("0");
        assertThat(properties.path("Margin").path("maximum").decimalValue()).isEqualByComparingTo("0.5");
        // On xs:int, 1..99 is exactly "more than 0 and less than 100".
        assertThat(properties.path("Discount").path("minimum").asInt()).isEqualTo(1);
        assertThat(properties.path("Discount").path("maximum").asInt()).isEqualTo(99);
        assertThat(rules(contract(ToolPolicy.defaults()), "1", "0.5", "100")).containsExactly("Discount:maximum");
    }

    @Test
    void aPolicyMinimumAtTheExclusiveBoundAddsNothingAndTheBoundStaysExclusive() {
        ToolContract contract = contract(priceRule(new BigDecimal("0")));

        assertThat(problems).isEmpty();
        assertThat(rules(contract, "0", "0.5", "1")).containsExactly("Price:minimum");
        assertThat(contract.inputSchema().path("properties").path("Price").path("exclusiveMinimum").decimalValue())
                .isEqualByComparingTo("0");
    }

    @Test
    void aPolicyMinimumAboveTheExclusiveBoundIsInclusive() {
        ToolContract contract = contract(priceRule(new BigDecimal("10")));

        assertThat(rules(contract, "10", "0.5", "1")).isEmpty();
        assertThat(rules(contract, "9.99", "0.5", "1")).containsExactly("Price:minimum");
        assertThat(contract.inputSchema().path("properties").path("Price").path("minimum").decimalValue())
                .isEqualByComparingTo("10");
        assertThat(contract.inputSchema().path("properties").path("Price").has("exclusiveMinimum")).isFalse();
    }

    @Test
    void aPolicyMinimumBelowTheExclusiveBoundLoosensIt() {
        contract(priceRule(new BigDecimal("-1")));

        assertThat(problems).containsExactly("tools.SetPrice.params.Price.minimum: loosens the XSD's exclusive minimum 0 "
                + "with -1 (a policy may only tighten)");
    }

    private ToolContract contract(ToolPolicy policy) {
        return ContractBuilder.build(SET_PRICE, policy, (key, message) -> problems.add(key + ": " + message));
    }

    private static ToolPolicy priceRule(BigDecimal minimum) {
        return ToolPolicy.defaults().withParams(Map.of("Price",
                new ParamRule(null, minimum, null, null, null, null, null, null, null)));
    }

    private static List<String> rules(ToolContract contract, String price, String margin, String discount) {
        return ArgumentValidator.validate(contract, args(price, margin, discount)).stream()
                .map(v -> v.path() + ":" + v.rule()).toList();
    }

    private static ObjectNode args(String price, String margin, String discount) {
        try {
            return (ObjectNode) JSON.readTree("{\"Price\": " + price + ", \"Margin\": " + margin + ", \"Discount\": "
                    + discount + "}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
