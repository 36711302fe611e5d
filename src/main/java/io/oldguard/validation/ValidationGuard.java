package io.oldguard.validation;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.call.ToolCall;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import io.oldguard.halt.Halt;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.ViolationAction;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses arguments the legacy contract or the policy forbids, before anything reaches a backend, and acts as
 * the policy says: {@code halt} (default) the agent with a CRITICAL event, {@code reject} the call only, or
 * {@code observe} it (count, log, let through). When several rules are broken the most severe action wins.
 * With {@code strikes}, a halting violation halts only at the Nth within the window; before that it rejects.
 */
public final class ValidationGuard implements Guard {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.validation");
    private static final java.util.Set<String> UNPASSABLE = java.util.Set.of("type", "required", "unknown", "characters", "format");
    private static final Logger HALTS = LoggerFactory.getLogger("oldguard.halts");

    private final Supplier<PolicySet> policies;
    private final HaltRegistry halts;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final StrikeCounter strikes;

    public ValidationGuard(Supplier<PolicySet> policies, HaltRegistry halts, MeterRegistry metrics, Clock clock) {
        this.policies = policies;
        this.halts = halts;
        this.metrics = metrics;
        this.clock = clock;
        this.strikes = new StrikeCounter(clock);
    }

    /**
     * Valid arguments are let through without waiting; invalid ones may halt the agent, which writes the halts
     * file. Validating twice costs well under a microsecond (BENCHMARKS.md).
     */
    @Override
    public boolean mayBlock(ToolCall call) {
        return !ArgumentValidator.validate(policies.get().contract(call.tool().name()), call.arguments()).isEmpty();
    }

    @Override
    public Verdict check(ToolCall call) {
        PolicySet policy = policies.get();
        ToolContract contract = policy.contract(call.tool().name());
        List<Violation> violations = ArgumentValidator.validate(contract, call.arguments());
        if (violations.isEmpty()) {
            return Verdict.ALLOW;
        }
        ViolationAction action = actionFor(contract, violations);
        String tool = call.tool().name();
        String agent = call.agent();
        if (action == ViolationAction.OBSERVE) {
            violations.forEach(v -> count(MetricNames.VALIDATION_WOULD_REFUSE, tool, v.rule()));
            LOG.warn("observe: {} {} would have been refused", agent, tool, kv("event", Events.VALIDATION_OBSERVED),
                    kv("agent", agent), kv("tool", tool), kv("violations", violations),
                    kv("policyVersion", policy.version()));
            return Verdict.ALLOW;
        }
        violations.forEach(v -> count(MetricNames.VALIDATION_FAILURES, tool, v.rule()));
        if (action == ViolationAction.HALT && strikeLimitReached(contract, agent, tool)) {
            Instant now = clock.instant();
            Halt halt = halts.halt(new Halt(agent, Halt.INVALID_ARGUMENTS,
                    "it called " + tool + " with invalid arguments: " + withoutPeriod(violations.get(0).message()), now,
                    contract.coolOff() == null ? null : now.plus(contract.coolOff()), tool, call.requestId(),
                    violations, policy.version()));
            HALTS.error("CRITICAL agent {} halted: invalid arguments for {}", agent, tool, kv("severity", "CRITICAL"),
                    kv("event", Events.AGENT_HALTED), kv("agent", agent), kv("tool", tool), kv("violations", violations),
                    kv("policyVersion", policy.version()),
                    kv("haltedUntil", halt.until() == null ? null : halt.until().toString()));
            return Refusals.invalidArguments(tool, violations, true);
        }
        LOG.warn("rejected: {} {} invalid arguments", agent, tool, kv("event", Events.VALIDATION_REJECTED),
                kv("agent", agent), kv("tool", tool), kv("violations", violations), kv("policyVersion", policy.version()));
        return Refusals.invalidArguments(tool, violations, false);
    }

    private boolean strikeLimitReached(ToolContract contract, String agent, String tool) {
        if (contract.strikes() == null) {
            return true;
        }
        boolean reached = strikes.record(agent, tool, contract.strikes().window()) >= contract.strikes().count();
        if (reached) {
            strikes.forget(agent, tool);
        }
        return reached;
    }

    private static ViolationAction actionFor(ToolContract contract, List<Violation> violations) {
        ViolationAction action = null;
        for (Violation v : violations) {
            String name = v.path().contains("[") ? v.path().substring(0, v.path().indexOf('[')) : v.path();
            ParamContract param = contract.param(name);
            ViolationAction own = param == null ? contract.onViolation() : param.onViolation();
            // observe is for rolling out new rules; what the legacy contract itself cannot carry (a string for
            // an integer, a missing value, an unknown parameter) is never let through.
            if (UNPASSABLE.contains(v.rule())) {
                own = own.mostSevere(ViolationAction.REJECT);
            }
            action = own.mostSevere(action);
        }
        return action;
    }

    private static String withoutPeriod(String sentence) {
        return sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
    }

    private void count(String metric, String tool, String rule) {
        Counter.builder(metric).tags(MetricNames.TAG_TOOL, tool, MetricNames.TAG_RULE, rule).register(metrics).increment();
    }
}
