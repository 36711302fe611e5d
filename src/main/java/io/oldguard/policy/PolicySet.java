package io.oldguard.policy;

import io.oldguard.catalog.ToolCatalog;
import io.oldguard.validation.ToolContract;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Every policy file merged into one immutable value. A reload builds a new one and swaps a single reference,
 * so a call always sees one consistent version.
 *
 * @param catalog every tool: the WSDL operations and the policies' SQL tools
 * @param version short content hash of the files, logged with every decision that depends on policy
 */
public record PolicySet(ToolCatalog catalog, Map<String, ToolPolicy> tools, Map<String, AgentPolicy> agents,
        Map<String, ToolContract> contracts, String version) {

    public PolicySet {
        tools = Map.copyOf(tools);
        agents = Map.copyOf(agents);
        contracts = Map.copyOf(contracts);
    }

    /** The merged XSD + policy rules of a tool; every catalogue tool has one. */
    public ToolContract contract(String tool) {
        return contracts.get(tool);
    }

    public Set<String> toolsGrantedTo(String agent) {
        AgentPolicy policy = agents.get(agent);
        return policy == null ? Set.of() : Set.copyOf(policy.tools());
    }

    public boolean grants(String agent, String tool) {
        AgentPolicy policy = agents.get(agent);
        return policy != null && policy.tools().contains(tool);
    }

    public Duration timeoutOf(String tool, Duration fallback) {
        ToolPolicy policy = tools.get(tool);
        return policy == null || policy.timeout() == null ? fallback : policy.timeout();
    }
}
