package io.oldguard.policy;

import io.oldguard.config.Rate;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * What a policy grants one agent: the tools it may see and call (anything not granted is refused), and
 * optionally its overall rate across all tools.
 */
public record AgentPolicy(@NotNull List<@NotNull String> tools, AgentLimits limits) {

    public AgentPolicy {
        tools = tools == null ? null : List.copyOf(tools);
    }

    public record AgentLimits(Rate rate) {
    }
}
