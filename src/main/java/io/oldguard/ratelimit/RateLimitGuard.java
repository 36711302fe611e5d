package io.oldguard.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.call.ToolCall;
import io.oldguard.config.Rate;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.AgentPolicy;
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.ToolPolicy;
import io.oldguard.store.SharedState;
import io.oldguard.store.TokenBucket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Polices each agent's rate: its overall rate ({@code agents.<id>.limits.rate}) and its rate per tool
 * ({@code tools.<tool>.limits.perAgent}); a call uses its tool's {@code cost} in tokens from each. Over a limit
 * the call is refused at once with 429 and the bucket's own estimate of when it may succeed — it never waits:
 * waiting is the backend shaper's job, for traffic that is within every agent's limit. The buckets live in the
 * {@link SharedState}: this sidecar's memory, or Redis shared by the fleet, so one agent's budget holds across
 * all its replicas.
 *
 * <p>Tool listings are charged too ({@link #chargeListing}): they never reach a backend, but a listing is the
 * largest answer an agent can ask for, and unpriced, a loop or an MCP batch of them could keep the sidecar busy
 * writing megabytes while other agents' calls wait.
 */
public final class RateLimitGuard implements Guard {

    /** Tokens one listing takes from the agent's overall rate: as much as the cheapest call. */
    public static final long LISTING_COST = 1;

    private final Supplier<PolicySet> policies;
    private final SharedState state;
    private final MeterRegistry metrics;

    public RateLimitGuard(Supplier<PolicySet> policies, SharedState state, MeterRegistry metrics) {
        this.policies = policies;
        this.state = state;
        this.metrics = metrics;
    }

    /** The buckets are in this process's memory, or in the fleet's Redis. */
    @Override
    public boolean mayBlock(ToolCall call) {
        return !state.local();
    }

    @Override
    public Verdict check(ToolCall call) {
        PolicySet policy = policies.get();
        String agent = call.agent();
        String tool = call.tool().name();
        ToolPolicy toolPolicy = policy.tools().getOrDefault(tool, ToolPolicy.defaults());
        long cost = toolPolicy.cost();
        Rate toolRate = toolPolicy.limits() == null ? null : toolPolicy.limits().perAgent();
        AgentPolicy agentPolicy = policy.agents().get(agent);
        Rate agentRate = agentPolicy == null || agentPolicy.limits() == null ? null : agentPolicy.limits().rate();

        // Keyed by scope and agent (and tool), not by rate: a reload that changes a rate reconfigures the bucket.
        TokenBucket toolBucket = toolRate == null ? null : state.bucket("tool|" + agent + '/' + tool, toolRate);
        TokenBucket agentBucket = agentRate == null ? null : state.bucket("agent|" + agent, agentRate);
        if (toolBucket != null && agentBucket != null) {
            return both(call, cost, toolBucket, toolRate, agentBucket, agentRate);
        }
        if (toolBucket != null) {
            ConsumptionProbe probe = toolBucket.tryConsume(cost);
            return probe.isConsumed() ? Verdict.ALLOW : refuse("tool", agent, tool, toolRate, probe);
        }
        if (agentBucket != null) {
            ConsumptionProbe probe = agentBucket.tryConsume(cost);
            return probe.isConsumed() ? Verdict.ALLOW : refuse("agent", agent, tool, agentRate, probe);
        }
        return Verdict.ALLOW;
    }

    /**
     * Takes the call's tokens from its tool limit and its agent's limit at once (in fleet mode that is one wait
     * for Redis, not two). If either refuses, the call does not happen, so the other gets its tokens back; when
     * both refuse, the tool limit answers.
     */
    private Verdict both(ToolCall call, long cost, TokenBucket toolBucket, Rate toolRate, TokenBucket agentBucket, Rate agentRate) {
        CompletableFuture<ConsumptionProbe> fromTool = toolBucket.tryConsumeAsync(cost);
        CompletableFuture<ConsumptionProbe> fromAgent = agentBucket.tryConsumeAsync(cost);
        ConsumptionProbe agentProbe;
        try {
            agentProbe = fromAgent.join();
        } catch (CompletionException e) {
            fromTool.thenAccept(p -> refundIfTaken(toolBucket, p, cost));
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        ConsumptionProbe toolProbe;
        try {
            toolProbe = fromTool.join();
        } catch (CompletionException e) {
            refundIfTaken(agentBucket, agentProbe, cost);
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        if (!toolProbe.isConsumed()) {
            refundIfTaken(agentBucket, agentProbe, cost);
            return refuse("tool", call.agent(), call.tool().name(), toolRate, toolProbe);
        }
        if (!agentProbe.isConsumed()) {
            toolBucket.refund(cost);
            return refuse("agent", call.agent(), call.tool().name(), agentRate, agentProbe);
        }
        return Verdict.ALLOW;
    }

    /**
     * Takes {@link #LISTING_COST} from the agent's overall bucket ({@code agents.<id>.limits.rate}); an agent
     * without one lists freely, as it calls freely.
     *
     * @param listing what was asked, as the refusal and the metric name it ({@code tools/list}, {@code GET /v1/tools})
     */
    public Verdict chargeListing(String agent, String listing) {
        AgentPolicy agentPolicy = policies.get().agents().get(agent);
        Rate agentRate = agentPolicy == null || agentPolicy.limits() == null ? null : agentPolicy.limits().rate();
        if (agentRate == null) {
            return Verdict.ALLOW;
        }
        ConsumptionProbe probe = state.bucket("agent|" + agent, agentRate).tryConsume(LISTING_COST);
        return probe.isConsumed() ? Verdict.ALLOW : refuse("agent", agent, listing, agentRate, probe);
    }

    private static void refundIfTaken(TokenBucket bucket, ConsumptionProbe probe, long cost) {
        if (probe.isConsumed()) {
            bucket.refund(cost);
        }
    }

    private Verdict refuse(String scope, String agent, String tool, Rate rate, ConsumptionProbe probe) {
        Counter.builder(MetricNames.LIMIT_REJECTIONS).description("Calls refused by a rate limit, by scope")
                .tags(MetricNames.TAG_SCOPE, scope, MetricNames.TAG_AGENT, agent, MetricNames.TAG_TOOL, tool)
                .register(metrics).increment();
        return Refusals.rateLimited(scope, agent, tool, rate, probe.getRemainingTokens(),
                Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }
}
