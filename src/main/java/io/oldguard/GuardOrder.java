package io.oldguard;

import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.config.HaltsConfig;
import io.oldguard.guard.Guard;
import io.oldguard.guard.GuardChain;
import io.oldguard.guard.GuardChain.NamedGuard;
import io.oldguard.guard.Verdict;
import io.oldguard.halt.ErrorStreakGuard;
import io.oldguard.halt.HaltGuard;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.identity.IdentityGuard;
import io.oldguard.policy.PermissionGuard;
import io.oldguard.policy.PolicySet;
import io.oldguard.ratelimit.RateLimitGuard;
import io.oldguard.store.SharedState;
import io.oldguard.validation.ValidationGuard;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The guard chain in its one fixed order, built here and nowhere else: the running sidecar and the offline
 * replay ({@code oldguard check --replay}) both take it from this class, so a replay decides with the same guards
 * in the same order as the sidecar it stands in for.
 */
public final class GuardOrder {

    private GuardOrder() {
    }

    /**
     * A chain with its own halt and rate-limit guards (the offline replay). Approvals are not replayed: no human
     * decides offline, so a call a rule would hold counts as allowed.
     */
    public static GuardChain chain(Supplier<PolicySet> policies, HaltRegistry halts, SharedState state,
            HaltsConfig.ErrorStreak streak, MeterRegistry registry, Clock clock) {
        return chain(policies, halts, new HaltGuard(halts), new RateLimitGuard(policies, state, registry),
                call -> Verdict.ALLOW, state, streak, registry, clock);
    }

    /**
     * @param haltGuard  the halt guard, which the sidecar also asks before tool lookups and right before sending
     * @param rateLimits the rate-limit guard, which the sidecar also charges tool listings to
     * @param approval   holds calls a policy wants a human to approve; after the rate limit, so a held call spends
     *                   budget (requests cannot flood the operators) and an approval is used only by a call that
     *                   will not be refused for its rate
     * @param state      where buckets and error streaks live (the sidecar's store, or a replay's on simulated time)
     * @param clock      the time halts, strikes and streaks are stamped with
     */
    public static GuardChain chain(Supplier<PolicySet> policies, HaltRegistry halts, HaltGuard haltGuard,
            RateLimitGuard rateLimits, Guard approval, SharedState state, HaltsConfig.ErrorStreak streak,
            MeterRegistry registry, Clock clock) {
        return new GuardChain(List.of(
                new NamedGuard("identity", new IdentityGuard()),
                new NamedGuard("halt", haltGuard),
                new NamedGuard("permission", new PermissionGuard(policies)),
                new NamedGuard("validation", new ValidationGuard(policies, halts, registry, clock)),
                new NamedGuard("rate-limit", rateLimits),
                new NamedGuard("approval", approval),
                new NamedGuard("error-streak", new ErrorStreakGuard(halts, state.streaks(), streak.faults(), streak.window(),
                        policies, clock))));
    }
}
