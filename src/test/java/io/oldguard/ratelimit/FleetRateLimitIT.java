package io.oldguard.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.catalog.Tool;
import io.oldguard.config.ClusterConfig;
import io.oldguard.config.Rate;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Verdict;
import io.oldguard.policy.AgentPolicy;
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.ToolPolicy;
import io.oldguard.store.RedisState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rate-limit guard on the fleet's buckets in the machine's Redis: a call limited by its tool and its agent
 * takes from both at once, and a refusal by either gives the other its tokens back, across sidecars.
 */
class FleetRateLimitIT {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final Tool GET_STOCK = SETUP.catalog().find("GetStock").orElseThrow();
    private static final Tool RESERVE = SETUP.catalog().find("ReserveStock").orElseThrow();

    private final String prefix = "og-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final RedisState a = sidecar("a");
    private final RedisState b = sidecar("b");

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void aToolLimitRefusesWithoutSpendingTheAgentLimitAcrossSidecars() {
        PolicySet policies = policies(Rate.parse("3/min"), Map.of("GetStock",
                new ToolPolicy(null, null, null, null, null, null, new ToolPolicy.ToolLimits(Rate.parse("1/min")))));
        RateLimitGuard throughA = new RateLimitGuard(() -> policies, a, new SimpleMeterRegistry());
        RateLimitGuard throughB = new RateLimitGuard(() -> policies, b, new SimpleMeterRegistry());

        assertThat(throughA.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
        assertThat(throughB.check(call(GET_STOCK))).isInstanceOfSatisfying(Refusal.class,
                r -> assertThat(r.extensions()).containsEntry("scope", "tool"));

        assertThat(throughB.check(call(RESERVE))).isEqualTo(Verdict.ALLOW);
        assertThat(throughA.check(call(RESERVE))).isEqualTo(Verdict.ALLOW);
        assertThat(throughB.check(call(RESERVE))).as("three agent tokens: GetStock once, ReserveStock twice")
                .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.extensions()).containsEntry("scope", "agent"));
    }

    @Test
    void anAgentLimitRefusesWithoutSpendingTheToolLimit() {
        PolicySet policies = policies(Rate.parse("1/min"), Map.of("GetStock",
                new ToolPolicy(null, null, null, null, null, null, new ToolPolicy.ToolLimits(Rate.parse("2/min")))));
        RateLimitGuard throughA = new RateLimitGuard(() -> policies, a, new SimpleMeterRegistry());
        RateLimitGuard throughB = new RateLimitGuard(() -> policies, b, new SimpleMeterRegistry());

        assertThat(throughA.check(call(GET_STOCK))).isEqualTo(Verdict.ALLOW);
        assertThat(throughB.check(call(GET_STOCK))).isInstanceOfSatisfying(Refusal.class,
                r -> assertThat(r.extensions()).containsEntry("scope", "agent"));

        assertThat(b.bucket("tool|bot/GetStock", Rate.parse("2/min")).tryConsume(1).isConsumed())
                .as("the second GetStock token went back to the tool limit").isTrue();
    }

    private RedisState sidecar(String id) {
        ClusterConfig config = new ClusterConfig("redis://127.0.0.1:6379", null, null, id, prefix, Duration.ofSeconds(2),
                Duration.ofMillis(500), Duration.ofMillis(100), "local", 0.25);
        return RedisState.connect(config, null, id, TimeMeter.SYSTEM_NANOTIME, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private static PolicySet policies(Rate agentRate, Map<String, ToolPolicy> tools) {
        AgentPolicy agent = new AgentPolicy(List.of("GetStock", "ReserveStock"), new AgentPolicy.AgentLimits(agentRate, null), null);
        return new PolicySet(SETUP.catalog(), tools, Map.of("bot", agent), SETUP.policies().contracts(), "test");
    }

    private static ToolCall call(Tool tool) {
        Instant now = Instant.now();
        return new ToolCall("r", new Caller.Agent("bot"), tool, JsonNodeFactory.instance.objectNode(), now, now.plusSeconds(5));
    }
}
