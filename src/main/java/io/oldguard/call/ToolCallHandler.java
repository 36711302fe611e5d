package io.oldguard.call;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.admission.AgentInFlight;
import io.oldguard.audit.AllowedCallAudit;
import io.oldguard.audit.Events;
import io.oldguard.guard.GuardChain;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.PolicyStore;
import io.oldguard.store.StoreUnavailable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Takes a decoded {@link ToolCall} through the guard chain and, if every guard allows it and its agent has a place
 * left for one more call in flight, to its backend; then records the outcome in metrics and one audit line (for
 * an allowed call, only if {@code audit.allowed} asks for it; a refusal always has its line).
 * Blocking: runs on a virtual thread, never an event loop.
 */
public final class ToolCallHandler {

    private static final Logger AUDIT = LoggerFactory.getLogger("oldguard.audit");
    private static final Logger LOG = LoggerFactory.getLogger(ToolCallHandler.class);

    private final GuardChain chain;
    private final AgentInFlight inFlight;
    private final Map<String, Backend> backends;
    private final PolicyStore policies;
    private final CallMetrics metrics;
    private final Clock clock;
    private final CallRecorder recorder;
    private final AllowedCallAudit allowedAudit;

    /** The result, who decided it (a guard's name, or "backend") and how long the backend had the call. */
    private record Handled(CallResult result, String decidedBy, Duration atBackend) {
    }

    /**
     * @param recorder     told of every call and its outcome at the audit step (traffic capture)
     * @param allowedAudit which allowed calls get an audit line
     */
    public ToolCallHandler(GuardChain chain, AgentInFlight inFlight, Map<String, Backend> backends, PolicyStore policies,
            CallMetrics metrics, Clock clock, CallRecorder recorder, AllowedCallAudit allowedAudit) {
        this.chain = chain;
        this.inFlight = inFlight;
        this.backends = Map.copyOf(backends);
        this.policies = policies;
        this.metrics = metrics;
        this.clock = clock;
        this.recorder = recorder;
        this.allowedAudit = allowedAudit;
    }

    /**
     * Every log line of the call carries its request id through the MDC, guards' lines included. The whole call,
     * guards, backend and audit line, runs under the policy set in force when it started.
     *
     * @param transport how the call arrived ({@link CallRecorder#JSON}, {@link CallRecorder#MCP}, {@link CallRecorder#SOAP})
     */
    public CallResult handle(ToolCall call, String transport) {
        return policies.pinned(() -> handlePinned(withPinnedTool(call), transport));
    }

    /**
     * The transports look the tool up before the call is pinned; a reload in between may have redefined it (a
     * SQL tool's statement, say). The call runs with the pinned set's definition, so tool and rules always match.
     */
    private ToolCall withPinnedTool(ToolCall call) {
        return policies.get().catalog().find(call.tool().name())
                .filter(pinned -> pinned != call.tool())
                .map(call::withTool)
                .orElse(call);
    }

    private CallResult handlePinned(ToolCall call, String transport) {
        metrics.started();
        try (MDC.MDCCloseable ignored = MDC.putCloseable("requestId", call.requestId())) {
            Handled handled;
            try {
                handled = decideAndInvoke(call);
            } catch (StoreUnavailable e) {
                handled = new Handled(new CallResult.Failure(Refusals.sharedLimitsUnavailable(e.retryAfter())), "store",
                        Duration.ZERO);
            } catch (RuntimeException e) {
                handled = unexpected(call, e);
            }
            audit(call, handled);
            recorder.record(call, transport, outcomeOf(handled.result()), handled.decidedBy());
            return handled.result();
        }
    }

    /**
     * A failure no backend mapped. On a thread interrupted because its client left, it is that cancellation
     * surfacing from some library (a lease future, a lock): the call was cancelled, which is not an error.
     */
    private static Handled unexpected(ToolCall call, RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
            LOG.debug("cancelled call ended with {}", e.toString());
            return new Handled(new CallResult.Failure(Refusals.cancelled()), "oldguard", Duration.ZERO);
        }
        LOG.error("unexpected failure", kv("event", Events.INTERNAL_ERROR), e);
        return new Handled(new CallResult.Failure(Refusals.internalError(call.requestId())), "oldguard", Duration.ZERO);
    }

    private Handled decideAndInvoke(ToolCall call) {
        GuardChain.Decision decision = chain.check(call);
        if (decision.verdict() instanceof Refusal refusal) {
            return new Handled(new CallResult.Failure(refusal), decision.decidedBy(), Duration.ZERO);
        }
        if (inFlight.enter(call) instanceof Refusal refusal) {
            return new Handled(new CallResult.Failure(refusal), "in-flight", Duration.ZERO);
        }
        try {
            return invoke(call);
        } finally {
            // Only once the guards have learnt the outcome: a fault that completes a streak halts the agent before
            // another of its calls can take this place.
            inFlight.leave(call);
        }
    }

    private Handled invoke(ToolCall call) {
        Backend backend = backends.get(call.tool().backend());
        Instant start = clock.instant();
        CallResult result = backend.invoke(call);
        chain.completed(call, result);
        Duration atBackend = Duration.between(start, clock.instant());
        metrics.backendLatency(call.tool().backend(), call.tool().name(), outcomeOf(result), atBackend);
        return new Handled(result, "backend", atBackend);
    }

    private void audit(ToolCall call, Handled handled) {
        String outcome = outcomeOf(handled.result());
        int status = handled.result() instanceof CallResult.Failure f ? f.refusal().status() : 200;
        Duration latency = Duration.between(call.receivedAt(), clock.instant());
        metrics.finished(call.agentLabel(), call.tool().name(), outcome);
        metrics.overhead(call.tool().name(), latency.minus(handled.atBackend()));
        if (handled.result() instanceof CallResult.Success && !allowedAudit.writes()) {
            return;
        }
        AUDIT.info("{} {} -> {}", call.agentLabel(), call.tool().name(), outcome,
                kv("event", Events.CALL), kv("agent", call.agentLabel()), kv("tool", call.tool().name()),
                kv("outcome", outcome), kv("status", status), kv("decidedBy", handled.decidedBy()),
                kv("latencyMs", latency.toMillis()),
                kv("policyVersion", policies.get().version()));
    }

    private static String outcomeOf(CallResult result) {
        return result instanceof CallResult.Failure f ? f.refusal().outcome() : MetricNames.OUTCOME_OK;
    }
}
