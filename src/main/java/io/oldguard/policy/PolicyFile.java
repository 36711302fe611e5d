package io.oldguard.policy;

import io.oldguard.sql.SqlToolDefinition;
import jakarta.validation.Valid;
import java.util.LinkedHashMap;
import java.util.Map;

/** One file of {@code policies/} as written; {@link PolicyLoader} merges the files into a {@link PolicySet}. */
record PolicyFile(Map<String, @Valid ToolPolicy> tools, Map<String, @Valid AgentPolicy> agents,
        Map<String, @Valid SqlToolDefinition> sqlTools) {

    PolicyFile {
        tools = copy(tools);
        agents = copy(agents);
        sqlTools = copy(sqlTools);
    }

    // Keeps entries written with no value (null), so the loader can say what is missing.
    private static <V> Map<String, V> copy(Map<String, V> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
