package io.oldguard.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.catalog.Tool;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Verdict;
import io.oldguard.halt.HaltGuard;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.ParamRule;
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.Strikes;
import io.oldguard.policy.ToolPolicy;
import io.oldguard.policy.ViolationAction;
import io.oldguard.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a violation does — halt, reject, observe, strikes, cool-off — on injected time. */
class ValidationGuardTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final Tool GET_STOCK = SETUP.catalog().find("GetStock").orElseThrow();
    private static final ParamRule SEVEN_DIGITS = new ParamRule(null, BigDecimal.ONE, BigDecimal.valueOf(9_999_999),
            null, null, null, null, null, null);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @Test
    void haltIsTheDefaultAndStopsEveryFurtherCall() {
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", SEVEN_DIGITS), null, null, null, null, null));

        Verdict first = f.guard.check(call("\"the-blue-widget\""));

        assertThat(first).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.extensions()).containsEntry("agentHalted", true);
        });
        assertThat(f.halts.check("bot")).isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(423));
        assertThat(f.registry.current("bot")).hasValueSatisfying(h -> assertThat(h.until()).isNull());
        assertThat(metrics.counter(MetricNames.HALTS, MetricNames.TAG_REASON, "invalid_arguments").count()).isEqualTo(1);
    }

    @Test
    void rejectRefusesTheCallButDoesNotHalt() {
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", SEVEN_DIGITS), ViolationAction.REJECT, null, null, null, null));

        Verdict verdict = f.guard.check(call("10000000"));

        assertThat(verdict).isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(422));
        assertThat(f.registry.current("bot")).isEmpty();
        assertThat(f.guard.check(call("42"))).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void parameterActionOverridesTheToolAction() {
        ParamRule observed = new ParamRule(null, null, BigDecimal.valueOf(9_999_999), null, null, null, null, null,
                ViolationAction.OBSERVE);
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", observed), ViolationAction.HALT, null, null, null, null));

        assertThat(f.guard.check(call("10000000"))).isEqualTo(Verdict.ALLOW);
        // A type error is still caught by the XSD's own rule, whose action is the parameter's: observe.
        assertThat(f.registry.current("bot")).isEmpty();
    }

    @Test
    void observeLetsTheCallThroughAndCountsWouldHaveRefused() {
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", SEVEN_DIGITS), ViolationAction.OBSERVE, null, null, null, null));

        Verdict verdict = f.guard.check(call("10000000"));

        assertThat(verdict).isEqualTo(Verdict.ALLOW);
        assertThat(f.registry.current("bot")).isEmpty();
        assertThat(metrics.counter(MetricNames.VALIDATION_WOULD_REFUSE, MetricNames.TAG_TOOL, "GetStock",
                MetricNames.TAG_RULE, "maximum").count()).isEqualTo(1);
        assertThat(metrics.find(MetricNames.VALIDATION_FAILURES).counter()).isNull();
    }

    @Test
    void observeNeverLetsThroughWhatTheContractCannotCarry() {
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", SEVEN_DIGITS), ViolationAction.OBSERVE, null, null, null, null));

        Verdict verdict = f.guard.check(call("\"the-blue-widget\""));

        assertThat(verdict).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.extensions()).doesNotContainKey("agentHalted");
        });
        assertThat(f.registry.current("bot")).isEmpty();
    }

    @Test
    void strikesHaltOnlyAtTheNthViolationWithinTheWindow() {
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", SEVEN_DIGITS), null,
                new Strikes(3, Duration.ofMinutes(10)), null, null, null));

        f.guard.check(call("0"));
        clock.advance(Duration.ofMinutes(4));
        f.guard.check(call("0"));
        assertThat(f.registry.current("bot")).as("two strikes: rejected, not halted").isEmpty();
        clock.advance(Duration.ofMinutes(4));
        Verdict third = f.guard.check(call("0"));

        assertThat(third).isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.extensions()).containsEntry("agentHalted", true));
        assertThat(f.registry.current("bot")).isPresent();
    }

    @Test
    void strikesOutsideTheWindowDoNotCount() {
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", SEVEN_DIGITS), null,
                new Strikes(2, Duration.ofMinutes(1)), null, null, null));

        f.guard.check(call("0"));
        clock.advance(Duration.ofMinutes(2));
        f.guard.check(call("0"));

        assertThat(f.registry.current("bot")).isEmpty();
    }

    @Test
    void coolOffLiftsTheHaltByItself() {
        Fixture f = fixture(new ToolPolicy(null, Map.of("ItemID", SEVEN_DIGITS), null, null, Duration.ofMinutes(15), null, null));

        f.guard.check(call("\"the-blue-widget\""));
        clock.advance(Duration.ofMinutes(14));
        assertThat(f.halts.check("bot")).isInstanceOf(Refusal.class);
        clock.advance(Duration.ofMinutes(1));

        assertThat(f.halts.check("bot")).isEqualTo(Verdict.ALLOW);
        assertThat(f.registry.all()).isEmpty();
    }

    private record Fixture(ValidationGuard guard, HaltRegistry registry, HaltGuard halts) {
    }

    private Fixture fixture(ToolPolicy policy) {
        ToolContract contract = ContractBuilder.build(GET_STOCK, policy, (k, m) -> { throw new AssertionError(k + ": " + m); });
        PolicySet set = new PolicySet(SETUP.catalog(), Map.of("GetStock", policy), Map.of(), Map.of("GetStock", contract), "test");
        HaltRegistry registry = HaltRegistry.open(dir.resolve("halts.json"), clock, metrics);
        return new Fixture(new ValidationGuard(() -> set, registry, metrics, clock), registry, new HaltGuard(registry));
    }

    private ToolCall call(String itemIdJson) {
        try {
            ObjectNode args = (ObjectNode) new ObjectMapper().readTree("{\"ItemID\": " + itemIdJson + "}");
            return new ToolCall("req-1", new Caller.Agent("bot"), GET_STOCK, args, clock.instant(), clock.instant().plusSeconds(5));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
