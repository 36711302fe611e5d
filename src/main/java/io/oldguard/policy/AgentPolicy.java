package io.oldguard.policy;

import io.oldguard.config.Rate;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.util.List;

/**
 * What a policy grants one agent: the tools it may see and call (anything not granted is refused), optionally
 * its overall rate across all tools, and its share of a backend while several agents wait for it.
 *
 * @param share the agent's weight in each backend's fair queue: while agents wait, each is given tokens in
 *              proportion to its share; 1 when not set, so agents share equally
 */
public record AgentPolicy(@NotNull List<@NotNull String> tools, AgentLimits limits, @Positive Double share) {

    public static final double EQUAL_SHARE = 1.0;

    public AgentPolicy {
        tools = tools == null ? null : List.copyOf(tools);
        share = share == null ? EQUAL_SHARE : share;
    }

    public record AgentLimits(Rate rate) {
    }
}
