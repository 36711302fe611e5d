package io.oldguard.replay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.GuardOrder;
import io.oldguard.call.CallResult;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.catalog.Tool;
import io.oldguard.config.SidecarConfig;
import io.oldguard.guard.GuardChain;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.halt.Halt;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.PolicySet;
import io.oldguard.store.LocalState;
import io.oldguard.validation.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Runs recorded calls through the real guard chain ({@link GuardOrder}) offline, as {@code oldguard check --replay}
 * does: identity by the recorded agent id, then halts, permission, validation (with strikes) and rate limits, on a
 * simulated clock set to each call's recorded time, with halts and buckets of its own (nothing is read from or
 * written to a running sidecar's state). No backend is called: a call every guard allows is {@value
 * RecordedCall#ALLOWED}, and where the file records how the backend answered it, the error-streak guard is told, so
 * a streak of recorded backend refusals halts the agent as it did live. Admission (breaker, shaping, bulkhead) is
 * the backend's side and not replayed.
 */
public final class Replay {

    /** A call the replay cannot decide: a sensitive value was recorded as a hash, which no rule can check. */
    public static final String UNVERIFIABLE = "unverifiable";

    /**
     * What the policies decide for one recorded call.
     *
     * @param decidedBy the refusing guard's name; empty when allowed
     * @param rules     what the refusal is about, for grouping: {@code Param:rule} of each violation, or empty
     * @param halted    the halt this call put the agent under, or null
     */
    public record Decided(RecordedCall call, String outcome, String decidedBy, List<String> rules, Halt halted) {

        public boolean allowed() {
            return RecordedCall.ALLOWED.equals(outcome);
        }

        /** Refused by a guard (an unverifiable call is neither allowed nor refused). */
        public boolean refused() {
            return !allowed() && !UNVERIFIABLE.equals(outcome);
        }
    }

    private Replay() {
    }

    /**
     * Every call in the order they were received (the file is written as calls finish); the answer is in the file's
     * line order.
     *
     * @param config   {@code sidecar.yaml}: its agents and error-streak setting
     * @param policies the policy set to decide with
     */
    public static List<Decided> run(SidecarConfig config, PolicySet policies, List<RecordedCall> calls) {
        List<RecordedCall> byTime = new ArrayList<>(calls);
        byTime.sort(Comparator.comparing(RecordedCall::at));
        ReplayClock clock = new ReplayClock(byTime.isEmpty() ? Instant.EPOCH : byTime.get(0).at());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path dir = tempDir();
        try {
            HaltRegistry halts = HaltRegistry.open(dir.resolve("halts.json"), clock, registry, "replay");
            GuardChain chain = GuardOrder.chain(() -> policies, halts, LocalState.alone(clock, clock, "replay"),
                    config.halts().errorStreak(), registry, clock);
            List<Decided> decided = new ArrayList<>();
            for (RecordedCall call : byTime) {
                clock.moveTo(call.at());
                decided.add(decide(call, config, policies, chain, halts));
            }
            decided.sort(Comparator.comparingInt(d -> d.call().line()));
            return decided;
        } finally {
            deleteQuietly(dir);
        }
    }

    private static Decided decide(RecordedCall recorded, SidecarConfig config, PolicySet policies, GuardChain chain,
            HaltRegistry halts) {
        Optional<Tool> tool = policies.catalog().find(recorded.tool());
        if (tool.isEmpty()) {
            // The transport refuses an unknown tool before any guard sees the call.
            return new Decided(recorded, Refusals.unknownTool(recorded.tool(), List.of()).outcome(), "transport",
                    List.of(), null);
        }
        if (recorded.hashed()) {
            return new Decided(recorded, UNVERIFIABLE, "", List.of(), null);
        }
        Caller caller = recorded.agent() == null ? new Caller.Anonymous(true)
                : config.agents().containsKey(recorded.agent()) ? new Caller.Agent(recorded.agent())
                : new Caller.Anonymous(false);
        boolean wasHalted = caller instanceof Caller.Agent a && halts.current(a.id()).isPresent();
        Instant at = recorded.at();
        ToolCall call = new ToolCall(recorded.requestId() == null ? "line-" + recorded.line() : recorded.requestId(),
                caller, tool.get(), recorded.arguments(), at, at.plus(policies.timeoutOf(tool.get().name(), Duration.ofSeconds(5))));
        GuardChain.Decision decision = chain.check(call);
        Decided decided;
        if (decision.verdict() instanceof Refusal refusal) {
            decided = new Decided(recorded, refusal.outcome(), decision.decidedBy(), rulesOf(refusal), null);
        } else {
            if (recorded.reachedBackend()) {
                chain.completed(call, recordedResult(recorded, tool.get()));
            }
            decided = new Decided(recorded, RecordedCall.ALLOWED, "", List.of(), null);
        }
        if (caller instanceof Caller.Agent a && !wasHalted) {
            Optional<Halt> now = halts.current(a.id());
            if (now.isPresent()) {
                decided = new Decided(recorded, decided.outcome(), decided.decidedBy(), decided.rules(), now.get());
            }
        }
        return decided;
    }

    /**
     * How the backend answered, as far as the guards care: only the error-streak guard learns from it, and only a
     * success or a SOAP Client fault counts there, so every other failure stands in as a Server fault.
     */
    private static CallResult recordedResult(RecordedCall recorded, Tool tool) {
        if (recorded.outcome().equals(MetricNames.OUTCOME_OK)) {
            return new CallResult.Success(JsonNodeFactory.instance.objectNode());
        }
        String faultCode = recorded.outcome().equals(Refusals.SOAP_CLIENT_FAULT) ? "Client" : "Server";
        return new CallResult.Failure(Refusals.soapFault(tool.backend(), faultCode, "as recorded"));
    }

    private static List<String> rulesOf(Refusal refusal) {
        if (refusal.extensions().get("violations") instanceof List<?> violations) {
            return violations.stream().filter(Violation.class::isInstance).map(Violation.class::cast)
                    .map(v -> v.path() + ":" + v.rule()).distinct().toList();
        }
        return List.of();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("oldguard-replay");
        } catch (IOException e) {
            throw new UncheckedIOException("no temporary folder for the replay's halts", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary folder is harmless.
        }
    }
}
