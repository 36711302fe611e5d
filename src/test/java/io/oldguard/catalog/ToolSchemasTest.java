package io.oldguard.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolSchemasTest {

    private static final Map<String, Tool> TOOLS = WsdlCatalog.read("inventory", Path.of("wsdl/inventory.wsdl"))
            .stream().collect(Collectors.toMap(Tool::name, Function.identity()));

    @Test
    void readsOneToolPerOperationWithItsDocumentation() {
        assertThat(TOOLS).containsOnlyKeys("GetStock", "ReserveStock", "ListItems");
        assertThat(TOOLS.get("GetStock").description()).isEqualTo("Returns the stock on hand and reserved for one item.");
        assertThat(TOOLS.get("GetStock").soap().soapAction()).isEqualTo("http://legacy.example.com/inventory/2008/GetStock");
    }

    @Test
    void anOperationWithoutDocumentationIsDescribedByItsNameAndParameters(@TempDir Path dir) throws IOException {
        Path wsdl = dir.resolve("inventory.wsdl");
        Files.writeString(wsdl, Files.readString(Path.of("wsdl/inventory.wsdl"))
                .replace("<wsdl:documentation>Reserves units of one item against a purchase order. Locks the item row until committed.</wsdl:documentation>", ""));

        Tool reserve = WsdlCatalog.read("inventory", wsdl).stream().filter(t -> t.name().equals("ReserveStock")).findFirst().orElseThrow();

        assertThat(reserve.description())
                .isEqualTo("Calls the ReserveStock operation of the inventory SOAP service with ItemID, Quantity, OrderRef.");
    }

    @Test
    void getStockItemIdIsAnIntegerWithTheXsdBounds() {
        JsonNode itemId = inputSchema(TOOLS.get("GetStock")).path("properties").path("ItemID");

        assertThat(itemId.path("type").asText()).isEqualTo("integer");
        assertThat(itemId.path("minimum").asLong()).isEqualTo(1);
        // xs:int's own upper bound: the schema never promises more than the legacy column holds.
        assertThat(itemId.path("maximum").asLong()).isEqualTo(Integer.MAX_VALUE);
        assertThat(itemId.path("description").asText()).isEqualTo("Article number of the item to look up.");
    }

    @Test
    void requiredAndAdditionalPropertiesFollowTheSequence() {
        JsonNode schema = inputSchema(TOOLS.get("ListItems"));

        assertThat(schema.path("required")).extracting(JsonNode::asText).containsExactly("Category", "Page");
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schema.path("properties").path("NameFilter").path("maxLength").asInt()).isEqualTo(40);
    }

    @Test
    void enumerationsComeFromTheNamedSimpleType() {
        JsonNode category = inputSchema(TOOLS.get("ListItems")).path("properties").path("Category");

        assertThat(category.path("type").asText()).isEqualTo("string");
        assertThat(category.path("enum")).extracting(JsonNode::asText)
                .containsExactly("TOOLS", "HARDWARE", "ELECTRICAL", "PLUMBING", "GARDEN");
    }

    @Test
    void patternsAreAnchoredAndRangesInclusive() {
        JsonNode props = inputSchema(TOOLS.get("ReserveStock")).path("properties");

        assertThat(props.path("OrderRef").path("pattern").asText()).isEqualTo("^(?:PO-[0-9]{4,10})$");
        assertThat(props.path("OrderRef").path("maxLength").asInt()).isEqualTo(13);
        assertThat(props.path("Quantity").path("minimum").asInt()).isEqualTo(1);
        assertThat(props.path("Quantity").path("maximum").asInt()).isEqualTo(500);
    }

    @Test
    void resultShapeMarksRepeatedElementsAsArrays() {
        JsonNode output = ToolSchemas.outputSchema(TOOLS.get("ListItems"));

        assertThat(output.path("properties").path("Item").path("type").asText()).isEqualTo("array");
        assertThat(output.path("properties").path("Item").path("items").path("properties").path("OnHand").path("type").asText())
                .isEqualTo("integer");
    }

    @Test
    void openAiExportIsValidFunctionCallingJson() {
        ArrayNode export = OpenAiTools.export(TOOLS.values(), ToolSchemasTest::inputSchema);

        assertThat(export).hasSize(3);
        for (JsonNode entry : export) {
            assertThat(entry.path("type").asText()).isEqualTo("function");
            JsonNode function = entry.path("function");
            assertThat(function.path("name").asText()).matches("^[a-zA-Z0-9_-]{1,64}$");
            assertThat(function.path("description").asText()).isNotBlank();
            assertThat(function.path("parameters").path("type").asText()).isEqualTo("object");
            assertThat(function.path("parameters").path("properties").isObject()).isTrue();
            List<String> props = List.copyOf(iterable(function.path("parameters").path("properties").fieldNames()));
            assertThat(function.path("parameters").path("required")).extracting(JsonNode::asText).isSubsetOf(props);
        }
    }

    /** The input schema from the XSD alone (no policy). */
    private static com.fasterxml.jackson.databind.node.ObjectNode inputSchema(Tool tool) {
        return io.oldguard.validation.ContractBuilder.build(tool, io.oldguard.policy.ToolPolicy.defaults(),
                (key, message) -> { throw new AssertionError(key + ": " + message); }).inputSchema();
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
