package io.oldguard.catalog;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Generates the JSON Schema of a tool's result from the response element's shape. (Input schemas come from the
 * merged XSD + policy contract: {@code io.oldguard.validation.ContractSchemas}.) Done once, never per call.
 */
public final class ToolSchemas {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ToolSchemas() {
    }

    public static ObjectNode outputSchema(Tool tool) {
        return objectSchema(tool.result());
    }

    private static ObjectNode objectSchema(List<Field> fields) {
        ObjectNode schema = JSON.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        for (Field f : fields) {
            ObjectNode value = f.isComplex() ? objectSchema(f.children()) : valueSchema(f.type());
            if (f.repeated()) {
                ObjectNode array = JSON.objectNode().put("type", "array");
                array.set("items", value);
                properties.set(f.name(), array);
            } else {
                properties.set(f.name(), value);
            }
        }
        return schema;
    }

    private static ObjectNode valueSchema(ParamType type) {
        ObjectNode schema = JSON.objectNode().put("type", type.jsonType());
        if (type.format() != null) {
            schema.put("format", type.format());
        }
        return schema;
    }
}
