package io.oldguard.policy;

import io.oldguard.config.Rate;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.util.List;

/**
 * What a policy grants one agent: the tools it may see and call (anything not granted is refused), optionally
 * its overall rate across all tools, how many of its calls may be in flight at once, and its share of a backend
 * while several agents wait for it.
 *
 * @param share the agent's weight in each backend's fair queue: while agents wait, each is given tokens in
 *              proportion to its share; 1 when not set, so agents share equally
 */
public record AgentPolicy(@NotNull List<@NotNull String> tools, @Valid AgentLimits limits, @Positive Double share) {

    public static final double EQUAL_SHARE = 1.0;

    /**
     * Calls of one agent in flight at once unless its policy says otherwise: room for the few tool calls a model
     * issues in parallel in one turn, yet at most half of a backend's shipped 16 connections, and at most 8 guesses
     * past the error streak that halts the agent.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 8;

    public AgentPolicy {
        tools = tools == null ? null : List.copyOf(tools);
        share = share == null ? EQUAL_SHARE : share;
    }

    /** The agent's cap on calls in flight, across all its tools and backends. */
    public int maxInFlight() {
        return limits == null || limits.maxInFlight() == null ? DEFAULT_MAX_IN_FLIGHT : limits.maxInFlight();
    }

    /**
     * @param rate        the agent's rate across all its tools; null: none
     * @param maxInFlight its calls past the guards and not yet answered, at most; null: {@link #DEFAULT_MAX_IN_FLIGHT}
     */
    public record AgentLimits(Rate rate, @Min(1) @Max(1024) Integer maxInFlight) {
    }
}
