package io.oldguard.halt;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.audit.Events;
import io.oldguard.call.CallResult;
import io.oldguard.call.ToolCall;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import io.oldguard.policy.PolicySet;
import io.oldguard.store.Streaks;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Halts an agent that is guessing after validation: valid-looking calls that the legacy service keeps refusing
 * (SOAP Client faults such as "Item not found"), N in a row within a window. Server faults do not count: a
 * failing backend is the circuit breaker's business, not the agent's fault. Any success ends the streak. The
 * streaks live in the {@link Streaks} of the store: this sidecar's own, or the fleet's in fleet mode.
 */
public final class ErrorStreakGuard implements Guard {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.halts");
    static final String CLIENT_FAULT = Refusals.SOAP_CLIENT_FAULT;

    private final HaltRegistry registry;
    private final int faults;
    private final Duration window;
    private final Supplier<PolicySet> policies;
    private final Clock clock;
    private final Streaks streaks;
    // Striped by agent: bounded whatever the number of agents; a lock, not a monitor, as a halt writes a file.
    private final ReentrantLock[] locks = Stream.generate(ReentrantLock::new).limit(64).toArray(ReentrantLock[]::new);

    public ErrorStreakGuard(HaltRegistry registry, Streaks streaks, int faults, Duration window, Supplier<PolicySet> policies,
            Clock clock) {
        this.registry = registry;
        this.streaks = streaks;
        this.faults = faults;
        this.window = window;
        this.policies = policies;
        this.clock = clock;
    }

    /** A success ends the streak: in this process's memory, or in the fleet's Redis. */
    @Override
    public boolean mayBlock(ToolCall call) {
        return !streaks.local();
    }

    @Override
    public Verdict check(ToolCall call) {
        return Verdict.ALLOW;
    }

    @Override
    public void completed(ToolCall call, CallResult result) {
        String agent = call.agent();
        boolean fault = result instanceof CallResult.Failure f && CLIENT_FAULT.equals(f.refusal().outcome());
        if (!fault) {
            if (result instanceof CallResult.Success) {
                streaks.success(agent);
            }
            return;
        }
        // The fault that completes a streak and its halt are one step for the agent: a fault reported in between
        // would start a new streak and give its in-flight place back before the halt is seen, letting another call
        // of the agent through. Later faults wait here, still holding their places, until the halt is in force.
        ReentrantLock lock = locks[Math.floorMod(agent.hashCode(), locks.length)];
        lock.lock();
        try {
            int length = streaks.fault(agent, window, faults);
            if (length >= faults) {
                halt(call, length);
            }
        } finally {
            lock.unlock();
        }
    }

    private void halt(ToolCall call, int length) {
        String agent = call.agent();
        String detail = length + " calls in a row within " + window.toSeconds() + " s were refused by the backend";
        Halt halt = registry.halt(new Halt(agent, Halt.ERROR_STREAK, detail, clock.instant(), null, call.tool().name(),
                call.requestId(), null, policies.get().version()));
        LOG.error("CRITICAL agent {} halted: {}", agent, detail, kv("severity", "CRITICAL"),
                kv("event", Events.AGENT_HALTED_ERROR_STREAK), kv("agent", agent), kv("tool", call.tool().name()),
                kv("faults", length), kv("windowSeconds", window.toSeconds()),
                kv("policyVersion", halt.policyVersion()));
    }
}
