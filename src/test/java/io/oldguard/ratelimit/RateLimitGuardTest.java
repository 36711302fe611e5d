package io.oldguard.ratelimit;

import io.oldguard.store.LocalState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.catalog.Tool;
import io.oldguard.config.Rate;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Verdict;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.AgentPolicy;
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.ToolPolicy;
import io.oldguard.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The limit arithmetic on fake time: burst, refill, cost, the two scopes and the 429's headers. */
class RateLimitGuardTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final Tool GET_STOCK = SETUP.catalog().find("GetStock").orElseThrow();
    private static final Tool RESERVE = SETUP.catalog().find("ReserveStock").orElseThrow();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @Test
    void allowsTheBurstThenRefusesWithTheTimeUntilTheNextToken() {
        RateLimitGuard guard = guard(Rate.parse("5/s"), Map.of());

        for (int i = 0; i < 5; i++) {
            assertThat(guard.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
        }
        Verdict sixth = guard.check(call(GET_STOCK));

        assertThat(sixth).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.retryAfter()).isEqualTo(Duration.ofMillis(200));
            assertThat(r.headers()).containsEntry("RateLimit-Policy", "\"agent\";q=5;w=1")
                    .containsEntry("RateLimit", "\"agent\";r=0;t=1");
            assertThat(r.detail()).isEqualTo("Agent bot exceeded its limit of 5/s; wait 1 s before the next call.");
        });
        assertThat(metrics.counter(MetricNames.LIMIT_REJECTIONS, MetricNames.TAG_SCOPE, "agent",
                MetricNames.TAG_AGENT, "bot", MetricNames.TAG_TOOL, "GetStock").count()).isEqualTo(1);
    }

    @Test
    void refillsAtTheRate() {
        RateLimitGuard guard = guard(Rate.parse("5/s"), Map.of());
        for (int i = 0; i < 5; i++) {
            guard.check(call(GET_STOCK));
        }

        clock.advance(Duration.ofMillis(200));

        assertThat(guard.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
        assertThat(guard.check(call(GET_STOCK))).isInstanceOf(Refusal.class);
    }

    @Test
    void anExpensiveToolUsesItsCostInTokens() {
        ToolPolicy write = new ToolPolicy(null, null, null, null, null, 5, null);
        RateLimitGuard guard = guard(Rate.parse("10/s"), Map.of("ReserveStock", write));

        assertThat(guard.check(call(RESERVE))).isEqualTo(Verdict.ALLOW);
        assertThat(guard.check(call(RESERVE))).isEqualTo(Verdict.ALLOW);
        assertThat(guard.check(call(GET_STOCK))).as("ten tokens spent").isInstanceOf(Refusal.class);
    }

    @Test
    void aToolLimitRefusesWithoutSpendingTheAgentLimit() {
        ToolPolicy limited = new ToolPolicy(null, null, null, null, null, null,
                new ToolPolicy.ToolLimits(Rate.parse("1/s")));
        RateLimitGuard guard = guard(Rate.parse("3/s"), Map.of("GetStock", limited));

        assertThat(guard.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
        Verdict second = guard.check(call(GET_STOCK));

        assertThat(second).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.extensions()).containsEntry("scope", "tool");
            assertThat(r.detail()).contains("its limit of 1/s for GetStock");
        });
        assertThat(guard.check(call(RESERVE))).isEqualTo(Verdict.ALLOW);
        assertThat(guard.check(call(RESERVE))).isEqualTo(Verdict.ALLOW);
        assertThat(guard.check(call(RESERVE))).as("three agent tokens: GetStock once, ReserveStock twice").isInstanceOf(Refusal.class);
    }

    @Test
    void aLoosenedLimitKeepsTheSpentBucketInsteadOfRefillingIt() {
        AtomicReference<PolicySet> policy = new AtomicReference<>(policies(Rate.parse("5/s"), Map.of()));
        RateLimitGuard guard = new RateLimitGuard(policy::get, LocalState.alone(clock, clock, "test"), metrics);
        for (int i = 0; i < 5; i++) {
            guard.check(call(GET_STOCK));
        }

        policy.set(policies(Rate.parse("5/s burst 50"), Map.of()));

        assertThat(guard.check(call(GET_STOCK))).isInstanceOf(Refusal.class);
        clock.advance(Duration.ofMillis(200));
        assertThat(guard.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void aTightenedLimitCutsTheTokensLeftToTheNewBurst() {
        AtomicReference<PolicySet> policy = new AtomicReference<>(policies(Rate.parse("20/s"), Map.of()));
        RateLimitGuard guard = new RateLimitGuard(policy::get, LocalState.alone(clock, clock, "test"), metrics);
        guard.check(call(GET_STOCK));

        policy.set(policies(Rate.parse("1/min burst 3"), Map.of()));

        for (int i = 0; i < 3; i++) {
            assertThat(guard.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
        }
        assertThat(guard.check(call(GET_STOCK))).isInstanceOfSatisfying(Refusal.class,
                r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofMinutes(1)));
    }

    @Test
    void anAgentWithoutLimitsIsNotLimited() {
        RateLimitGuard guard = new RateLimitGuard(() -> policies(null, Map.of()), LocalState.alone(clock, clock, "test"), metrics);

        for (int i = 0; i < 1000; i++) {
            assertThat(guard.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
        }
    }

    private RateLimitGuard guard(Rate agentRate, Map<String, ToolPolicy> tools) {
        PolicySet set = policies(agentRate, tools);
        return new RateLimitGuard(() -> set, LocalState.alone(clock, clock, "test"), metrics);
    }

    private static PolicySet policies(Rate agentRate, Map<String, ToolPolicy> tools) {
        AgentPolicy agent = new AgentPolicy(List.of("GetStock", "ReserveStock"),
                agentRate == null ? null : new AgentPolicy.AgentLimits(agentRate, null), null);
        return new PolicySet(SETUP.catalog(), tools, Map.of("bot", agent), SETUP.policies().contracts(), "test");
    }

    private ToolCall call(Tool tool) {
        return new ToolCall("r", new Caller.Agent("bot"), tool, JsonNodeFactory.instance.objectNode(),
                clock.instant(), clock.instant().plusSeconds(5));
    }
}
