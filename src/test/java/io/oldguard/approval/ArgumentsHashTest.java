package io.oldguard.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** An approval is bound to the call: key order and number formatting do not matter, any other difference does. */
class ArgumentsHashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "{\"ItemID\": 42, \"Quantity\": 45, \"OrderRef\": \"PO-004711\"}";

    @Test
    void keyOrderDoesNotMatter() {
        assertThat(hash("{\"OrderRef\":\"PO-004711\",\"Quantity\":45,\"ItemID\":42}")).isEqualTo(hash(CALL));
    }

    @Test
    void numberFormattingDoesNotMatter() {
        assertThat(hash("{\"ItemID\": 42, \"Quantity\": 45.0, \"OrderRef\": \"PO-004711\"}")).isEqualTo(hash(CALL));
        assertThat(hash("{\"ItemID\": 42, \"Quantity\": 4.5e1, \"OrderRef\": \"PO-004711\"}")).isEqualTo(hash(CALL));
    }

    @Test
    void anotherValueTypeOrMemberMatters() {
        assertThat(hash("{\"ItemID\": 42, \"Quantity\": 46, \"OrderRef\": \"PO-004711\"}")).isNotEqualTo(hash(CALL));
        assertThat(hash("{\"ItemID\": 42, \"Quantity\": \"45\", \"OrderRef\": \"PO-004711\"}")).isNotEqualTo(hash(CALL));
        assertThat(hash("{\"ItemID\": 42, \"Quantity\": 45, \"OrderRef\": \"PO-004711\", \"Note\": null}"))
                .isNotEqualTo(hash(CALL));
    }

    @Test
    void theAgentAndTheToolMatter() throws Exception {
        JsonNode args = JSON.readTree(CALL);
        assertThat(ArgumentsHash.of("support-bot", "ReserveStock", args)).isNotEqualTo(hash(CALL));
        assertThat(ArgumentsHash.of("order-bot", "GetStock", args)).isNotEqualTo(hash(CALL));
    }

    @Test
    void canonicalFormSortsKeysAtEveryLevel() throws Exception {
        assertThat(ArgumentsHash.canonical(JSON.readTree("{\"b\": {\"z\": 1.50, \"a\": [2, 1]}, \"a\": \"x\\\"\"}")))
                .isEqualTo("{\"a\":\"x\\\"\",\"b\":{\"a\":[2,1],\"z\":1.5}}");
    }

    private static String hash(String json) {
        try {
            return ArgumentsHash.of("order-bot", "ReserveStock", JSON.readTree(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
