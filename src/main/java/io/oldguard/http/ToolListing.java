package io.oldguard.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.OpenAiTools;
import io.oldguard.catalog.Tool;
import io.oldguard.catalog.ToolCatalog;
import io.oldguard.catalog.ToolSchemas;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The tool descriptions agents read, generated once from the catalogue and filtered per agent on request. */
public final class ToolListing {

    private final List<Tool> tools;
    private final Map<String, ObjectNode> inputSchemas = new LinkedHashMap<>();
    private final Map<String, ObjectNode> outputSchemas = new LinkedHashMap<>();

    public ToolListing(ToolCatalog catalog) {
        this.tools = List.copyOf(catalog.all());
        for (Tool tool : tools) {
            inputSchemas.put(tool.name(), ToolSchemas.inputSchema(tool));
            outputSchemas.put(tool.name(), ToolSchemas.outputSchema(tool));
        }
    }

    /** {@code {"tools":[{name, description, inputSchema, outputSchema}]}} for the given tools (all when null). */
    public ObjectNode describe(Set<String> visible) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode list = body.putArray("tools");
        for (Tool tool : visible(visible)) {
            ObjectNode entry = list.addObject();
            entry.put("name", tool.name());
            entry.put("description", tool.description());
            entry.set("inputSchema", inputSchemas.get(tool.name()));
            entry.set("outputSchema", outputSchemas.get(tool.name()));
        }
        return body;
    }

    public ArrayNode openAi(Set<String> visible) {
        return OpenAiTools.export(visible(visible), tool -> inputSchemas.get(tool.name()));
    }

    private List<Tool> visible(Set<String> names) {
        return names == null ? tools : tools.stream().filter(t -> names.contains(t.name())).toList();
    }
}
