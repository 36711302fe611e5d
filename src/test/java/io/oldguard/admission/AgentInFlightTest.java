package io.oldguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.catalog.Tool;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Verdict;
import io.oldguard.policy.AgentPolicy;
import io.oldguard.policy.PolicySet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each agent's places for calls in flight: taken, refused beyond the cap, given back. */
class AgentInFlightTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final Tool GET_STOCK = SETUP.catalog().find("GetStock").orElseThrow();

    private final AtomicReference<PolicySet> policies = new AtomicReference<>(policies(3));
    private final AgentInFlight inFlight = new AgentInFlight(policies::get, new SimpleMeterRegistry());

    @Test
    void refusesTheCallBeyondTheCapWith429AndRetryAfter() {
        for (int i = 0; i < 3; i++) {
            assertThat(inFlight.enter(call("bot"))).isEqualTo(Verdict.ALLOW);
        }

        assertThat(inFlight.enter(call("bot"))).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.type()).endsWith("/too-many-in-flight");
            assertThat(r.outcome()).isEqualTo("rate_limited_in_flight");
            assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            assertThat(r.detail()).isEqualTo("Agent bot already has 3 calls in flight, its limit; wait for one of them "
                    + "to be answered before calling GetStock again.");
        });
    }

    @Test
    void aPlaceGivenBackIsFreeForTheNextCall() {
        for (int i = 0; i < 3; i++) {
            inFlight.enter(call("bot"));
        }

        inFlight.leave(call("bot"));

        assertThat(inFlight.enter(call("bot"))).isEqualTo(Verdict.ALLOW);
        assertThat(inFlight.enter(call("bot"))).isInstanceOf(Refusal.class);
    }

    @Test
    void eachAgentHasItsOwnPlaces() {
        for (int i = 0; i < 3; i++) {
            inFlight.enter(call("bot"));
        }

        assertThat(inFlight.enter(call("other"))).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void anAgentWithoutACapHasTheDefault() {
        for (int i = 0; i < AgentPolicy.DEFAULT_MAX_IN_FLIGHT; i++) {
            assertThat(inFlight.enter(call("other"))).isEqualTo(Verdict.ALLOW);
        }

        assertThat(inFlight.enter(call("other"))).isInstanceOf(Refusal.class);
    }

    @Test
    void aReloadedCapAppliesToTheNextCall() {
        for (int i = 0; i < 3; i++) {
            inFlight.enter(call("bot"));
        }

        policies.set(policies(4));

        assertThat(inFlight.enter(call("bot"))).isEqualTo(Verdict.ALLOW);
        assertThat(inFlight.enter(call("bot"))).isInstanceOf(Refusal.class);
    }

    private static PolicySet policies(int botCap) {
        return new PolicySet(SETUP.catalog(), Map.of(), Map.of(
                "bot", new AgentPolicy(List.of("GetStock"), new AgentPolicy.AgentLimits(null, botCap), null),
                "other", new AgentPolicy(List.of("GetStock"), null, null)), SETUP.policies().contracts(), "test");
    }

    private static ToolCall call(String agent) {
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        return new ToolCall("r", new Caller.Agent(agent), GET_STOCK, JsonNodeFactory.instance.objectNode(), now,
                now.plusSeconds(2));
    }
}
