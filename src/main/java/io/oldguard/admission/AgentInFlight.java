package io.oldguard.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.call.ToolCall;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.AgentPolicy;
import io.oldguard.policy.PolicySet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Each agent's cap on calls in flight ({@code agents.<id>.limits.maxInFlight}), across all its tools and backends.
 * A rate limit alone lets an agent on 20 threads have 20 calls at the legacy service at once; when they are guesses,
 * all 20 are sent before the first faults come back and halt it. With the cap, at most that many of its calls are
 * between the guards and their outcome, so a halt for an error streak lets at most the cap more through. Beyond
 * the cap a call is refused at once (429), never queued.
 */
public final class AgentInFlight {

    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final Supplier<PolicySet> policies;
    private final MeterRegistry metrics;

    public AgentInFlight(Supplier<PolicySet> policies, MeterRegistry metrics) {
        this.policies = policies;
        this.metrics = metrics;
    }

    /** Takes one of the call's agent's places, or refuses the call; every allowed call must {@link #leave}. */
    public Verdict enter(ToolCall call) {
        String agent = call.agent();
        AgentPolicy policy = policies.get().agents().get(agent);
        int cap = policy == null ? AgentPolicy.DEFAULT_MAX_IN_FLIGHT : policy.maxInFlight();
        boolean[] entered = {false};
        inFlight.compute(agent, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= cap) {
                return n;
            }
            entered[0] = true;
            return now + 1;
        });
        if (entered[0]) {
            return Verdict.ALLOW;
        }
        Counter.builder(MetricNames.LIMIT_REJECTIONS).description("Calls refused by a rate limit, by scope")
                .tags(MetricNames.TAG_SCOPE, "in_flight", MetricNames.TAG_AGENT, agent,
                        MetricNames.TAG_TOOL, call.tool().name())
                .register(metrics).increment();
        return Refusals.tooManyInFlight(agent, call.tool().name(), cap);
    }

    /** Gives the place back. */
    public void leave(ToolCall call) {
        inFlight.computeIfPresent(call.agent(), (a, n) -> n <= 1 ? null : n - 1);
    }
}
