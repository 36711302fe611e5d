package io.oldguard.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.OpenAiTools;
import io.oldguard.catalog.Tool;
import io.oldguard.catalog.ToolCatalog;
import io.oldguard.catalog.ToolSchemas;
import io.oldguard.policy.PolicySet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tool descriptions agents read: input schemas from the policy set's contracts (XSD tightened by policy,
 * generated when the policies were loaded), result schemas from the catalogue (generated once here).
 */
public final class ToolListing {

    private final List<Tool> tools;
    private final Map<String, ObjectNode> outputSchemas = new LinkedHashMap<>();

    public ToolListing(ToolCatalog catalog) {
        this.tools = List.copyOf(catalog.all());
        for (Tool tool : tools) {
            outputSchemas.put(tool.name(), ToolSchemas.outputSchema(tool));
        }
    }

    /** {@code {"tools":[{name, description, inputSchema, outputSchema}]}} for the given tools (all when null). */
    public ObjectNode describe(PolicySet policies, Set<String> visible) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode list = body.putArray("tools");
        for (Tool tool : visible(visible)) {
            ObjectNode entry = list.addObject();
            entry.put("name", tool.name());
            entry.put("description", tool.description());
            entry.set("inputSchema", policies.contract(tool.name()).inputSchema());
            entry.set("outputSchema", outputSchemas.get(tool.name()));
        }
        return body;
    }

    public ArrayNode openAi(PolicySet policies, Set<String> visible) {
        return OpenAiTools.export(visible(visible), tool -> policies.contract(tool.name()).inputSchema());
    }

    private List<Tool> visible(Set<String> names) {
        return names == null ? tools : tools.stream().filter(t -> names.contains(t.name())).toList();
    }
}
