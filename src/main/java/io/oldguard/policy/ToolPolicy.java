package io.oldguard.policy;

import io.oldguard.approval.ApprovalRule;
import io.oldguard.config.Rate;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.Map;

/**
 * What a policy says about one tool.
 *
 * @param timeout     the tool's deadline; null means the backend's default
 * @param params      rules per parameter, tightening the XSD
 * @param onViolation what a violation does (default {@code halt})
 * @param strikes     optional: halt only after N violations within a window
 * @param coolOff     optional: a halt caused by this tool lifts by itself after this long
 * @param cost        tokens one call uses from every rate limit it passes (default 1): a write costs more
 * @param limits      optional per-agent rate for this tool
 * @param approval    optional: calls (or those meeting its conditions) wait for a human's approval
 */
public record ToolPolicy(
        Duration timeout,
        Map<String, @Valid ParamRule> params,
        ViolationAction onViolation,
        @Valid Strikes strikes,
        Duration coolOff,
        @Min(1) @Max(1000) Integer cost,
        @Valid ToolLimits limits,
        @Valid ApprovalRule approval) {

    /** @param perAgent each agent's rate for this tool, on top of its own overall rate */
    public record ToolLimits(Rate perAgent) {
    }

    /** A policy that asks no approval. */
    public ToolPolicy(Duration timeout, Map<String, ParamRule> params, ViolationAction onViolation, Strikes strikes,
            Duration coolOff, Integer cost, ToolLimits limits) {
        this(timeout, params, onViolation, strikes, coolOff, cost, limits, null);
    }

    public ToolPolicy {
        // "ItemID:" with nothing under it is an empty rule, not a null that would fail later.
        Map<String, ParamRule> copy = new java.util.LinkedHashMap<>();
        if (params != null) {
            params.forEach((name, rule) -> copy.put(name, rule == null ? ParamRule.NONE : rule));
        }
        params = java.util.Collections.unmodifiableMap(copy);
        onViolation = onViolation == null ? ViolationAction.HALT : onViolation;
        cost = cost == null ? Integer.valueOf(1) : cost;
    }

    /** The same policy with these parameter rules (a SQL tool's, declared with the tool). */
    public ToolPolicy withParams(Map<String, ParamRule> rules) {
        return new ToolPolicy(timeout, rules, onViolation, strikes, coolOff, cost, limits, approval);
    }

    public ToolPolicy withTimeout(Duration newTimeout) {
        return new ToolPolicy(newTimeout, params, onViolation, strikes, coolOff, cost, limits, approval);
    }

    public static ToolPolicy defaults() {
        return new ToolPolicy(null, null, null, null, null, null, null, null);
    }
}
