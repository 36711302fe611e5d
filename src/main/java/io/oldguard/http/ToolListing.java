package io.oldguard.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.OpenAiTools;
import io.oldguard.catalog.Tool;
import io.oldguard.policy.PolicySet;
import java.util.List;
import java.util.Set;

/**
 * The tool descriptions agents read, from the policy set: its catalogue (WSDL operations and SQL tools) and the
 * schemas its contracts generated at load (XSD tightened by policy), filtered to what an agent is granted.
 */
public final class ToolListing {

    private ToolListing() {
    }

    /** {@code {"tools":[{name, description, inputSchema, outputSchema}]}} for the given tools (all when null). */
    public static ObjectNode describe(PolicySet policies, Set<String> visible) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode list = body.putArray("tools");
        for (Tool tool : visible(policies, visible)) {
            ObjectNode entry = list.addObject();
            entry.put("name", tool.name());
            entry.put("description", tool.description());
            entry.set("inputSchema", policies.contract(tool.name()).inputSchema());
            entry.set("outputSchema", policies.contract(tool.name()).outputSchema());
        }
        return body;
    }

    public static ArrayNode openAi(PolicySet policies, Set<String> visible) {
        return OpenAiTools.export(visible(policies, visible), tool -> policies.contract(tool.name()).inputSchema());
    }

    private static List<Tool> visible(PolicySet policies, Set<String> names) {
        return policies.catalog().all().stream().filter(t -> names == null || names.contains(t.name())).toList();
    }
}
