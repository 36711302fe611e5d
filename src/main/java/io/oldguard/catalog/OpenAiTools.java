package io.oldguard.catalog;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;

/** The tools as OpenAI function-calling definitions: {@code [{"type":"function","function":{name, description, parameters}}]}. */
public final class OpenAiTools {

    private OpenAiTools() {
    }

    public static ArrayNode export(Collection<Tool> tools, java.util.function.Function<Tool, ObjectNode> inputSchema) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (Tool tool : tools) {
            ObjectNode entry = list.addObject().put("type", "function");
            ObjectNode function = entry.putObject("function");
            function.put("name", tool.name());
            function.put("description", tool.description());
            function.set("parameters", inputSchema.apply(tool));
        }
        return list;
    }
}
