package io.oldguard.policy;

import jakarta.validation.constraints.NotNull;
import java.util.List;

/** What a policy grants one agent: the tools it may see and call. Anything not granted is refused. */
public record AgentPolicy(@NotNull List<@NotNull String> tools) {

    public AgentPolicy {
        tools = tools == null ? null : List.copyOf(tools);
    }
}
