package io.oldguard.policy;

import jakarta.validation.Valid;
import java.util.Map;

/** One file of {@code policies/} as written; {@link PolicyLoader} merges the files into a {@link PolicySet}. */
record PolicyFile(Map<String, @Valid ToolPolicy> tools, Map<String, @Valid AgentPolicy> agents) {

    PolicyFile {
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        agents = agents == null ? Map.of() : Map.copyOf(agents);
    }
}
