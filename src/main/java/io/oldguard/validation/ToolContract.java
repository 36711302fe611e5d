package io.oldguard.validation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.Tool;
import io.oldguard.policy.Strikes;
import io.oldguard.policy.ViolationAction;
import java.time.Duration;
import java.util.List;

/**
 * What a call to one tool must satisfy, and the JSON Schema that tells the model so before it calls: both are
 * generated from the same merged rules, so the schema never promises what validation refuses.
 *
 * @param coolOff      how long a halt this tool causes lasts; null means until an operator releases it
 * @param outputSchema the JSON Schema of the tool's result
 */
public record ToolContract(Tool tool, List<ParamContract> params, ViolationAction onViolation, Strikes strikes,
        Duration coolOff, ObjectNode inputSchema, ObjectNode outputSchema) {

    public ToolContract {
        params = List.copyOf(params);
    }

    public ParamContract param(String name) {
        for (ParamContract p : params) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}
