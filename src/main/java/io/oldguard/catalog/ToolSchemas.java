package io.oldguard.catalog;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;

/**
 * Generates the JSON Schemas a model sees: each tool's input (types, required, bounds, patterns, enums, lengths
 * and documentation from the XSD) and its result. Done once per catalogue, never per call.
 */
public final class ToolSchemas {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ToolSchemas() {
    }

    public static ObjectNode inputSchema(Tool tool) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = JSON.arrayNode();
        for (Parameter p : tool.parameters()) {
            ObjectNode value = valueSchema(p.type(), p.facets(), p.description());
            if (p.repeated()) {
                ObjectNode array = JSON.objectNode().put("type", "array");
                array.set("items", value);
                properties.set(p.name(), array);
            } else {
                properties.set(p.name(), value);
            }
            if (p.required()) {
                required.add(p.name());
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    public static ObjectNode outputSchema(Tool tool) {
        return objectSchema(tool.result());
    }

    private static ObjectNode objectSchema(List<Field> fields) {
        ObjectNode schema = JSON.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        for (Field f : fields) {
            ObjectNode value = f.isComplex() ? objectSchema(f.children()) : valueSchema(f.type(), Facets.NONE, "");
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

    static ObjectNode valueSchema(ParamType type, Facets facets, String description) {
        ObjectNode schema = JSON.objectNode().put("type", type.jsonType());
        if (type.format() != null) {
            schema.put("format", type.format());
        }
        if (!description.isEmpty()) {
            schema.put("description", description);
        }
        if (facets.minimum() != null) {
            schema.put("minimum", number(facets.minimum()));
        }
        if (facets.maximum() != null) {
            schema.put("maximum", number(facets.maximum()));
        }
        if (facets.minLength() != null) {
            schema.put("minLength", facets.minLength());
        }
        if (facets.maxLength() != null) {
            schema.put("maxLength", facets.maxLength());
        }
        if (facets.patterns().size() == 1) {
            schema.put("pattern", XsdPatterns.toEcma(facets.patterns().get(0)));
        } else if (facets.patterns().size() > 1) {
            ArrayNode allOf = schema.putArray("allOf");
            facets.patterns().forEach(p -> allOf.addObject().put("pattern", XsdPatterns.toEcma(p)));
        }
        if (!facets.enumeration().isEmpty()) {
            ArrayNode values = schema.putArray("enum");
            facets.enumeration().forEach(values::add);
        }
        return schema;
    }

    private static BigDecimal number(BigDecimal value) {
        return value.stripTrailingZeros().scale() <= 0 ? value.setScale(0) : value;
    }
}
