package io.oldguard.catalog;

import io.oldguard.config.ConfigException;
import io.oldguard.config.SidecarConfig;
import io.oldguard.config.SoapBackendConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every tool of every configured backend, by name; immutable once built. */
public final class ToolCatalog {

    private final Map<String, Tool> tools;

    private ToolCatalog(Map<String, Tool> tools) {
        this.tools = tools;
    }

    public static ToolCatalog load(SidecarConfig config, String configFile) {
        Map<String, Tool> tools = new TreeMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, SoapBackendConfig> e : new TreeMap<>(config.backends()).entrySet()) {
            List<Tool> read;
            try {
                read = WsdlCatalog.read(e.getKey(), config.resolve(e.getValue().wsdl()));
            } catch (ConfigException ce) {
                problems.addAll(ce.problems());
                continue;
            }
            for (Tool tool : read) {
                String previous = origin.putIfAbsent(tool.name(), e.getKey());
                if (previous != null) {
                    problems.add(ConfigException.problem(configFile, "backends." + e.getKey(), "operation " + tool.name()
                            + " is also offered by backend " + previous + " (expected tool names to be unique)"));
                } else {
                    tools.put(tool.name(), tool);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ToolCatalog(java.util.Collections.unmodifiableMap(tools));
    }

    /** This catalogue with more tools (SQL tools from the policies); a name already taken is a problem. */
    public ToolCatalog with(List<Tool> more, java.util.function.Consumer<String> nameTaken) {
        Map<String, Tool> all = new TreeMap<>(tools);
        for (Tool tool : more) {
            if (all.putIfAbsent(tool.name(), tool) != null) {
                nameTaken.accept(tool.name());
            }
        }
        return new ToolCatalog(java.util.Collections.unmodifiableMap(all));
    }

    public Optional<Tool> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** In name order, so listings and exports are stable. */
    public Collection<Tool> all() {
        return tools.values();
    }

    public boolean contains(String name) {
        return tools.containsKey(name);
    }
}
