package io.oldguard.validation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/**
 * The JSON Schema of a tool's input as the model sees it: the XSD's types and facets with the policy's tighter
 * rules already applied, documentation as descriptions. Generated once per policy version.
 */
public final class ContractSchemas {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ContractSchemas() {
    }

    public static ObjectNode inputSchema(ToolContract contract) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "object");
        if (!contract.tool().description().isEmpty()) {
            schema.put("description", contract.tool().description());
        }
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = JSON.arrayNode();
        for (ParamContract p : contract.params()) {
            ObjectNode value = valueSchema(p);
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

    private static ObjectNode valueSchema(ParamContract p) {
        ObjectNode schema = JSON.objectNode().put("type", p.type().jsonType());
        if (p.type().format() != null) {
            schema.put("format", p.type().format());
        }
        if (!p.description().isEmpty()) {
            schema.put("description", p.description());
        }
        if (p.minimum() != null) {
            schema.put(p.minimumExclusive() ? "exclusiveMinimum" : "minimum", plain(p.minimum()));
        }
        if (p.maximum() != null) {
            schema.put(p.maximumExclusive() ? "exclusiveMaximum" : "maximum", plain(p.maximum()));
        }
        if (p.minLength() != null) {
            schema.put("minLength", p.minLength());
        }
        if (p.maxLength() != null) {
            schema.put("maxLength", p.maxLength());
        }
        if (p.patterns().size() == 1) {
            schema.put("pattern", p.patterns().get(0).shown());
        } else if (p.patterns().size() > 1) {
            ArrayNode allOf = schema.putArray("allOf");
            for (ParamContract.RulePattern pattern : p.patterns()) {
                allOf.addObject().put("pattern", pattern.shown());
            }
        }
        if (!p.enumeration().isEmpty()) {
            ArrayNode values = schema.putArray("enum");
            p.enumeration().forEach(v -> {
                switch (p.type()) {
                    case INTEGER, NUMBER -> values.add(new BigDecimal(v));
                    default -> values.add(v);
                }
            });
        }
        return schema;
    }

    private static BigDecimal plain(BigDecimal value) {
        return value.stripTrailingZeros().scale() <= 0 ? value.setScale(0) : value;
    }
}
