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
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.PolicyStore;
import io.oldguard.store.StoreUnavailable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Takes a decoded {@link ToolCall} through the guard chain and, if every guard allows it and its agent has a place
 * left for one more call in flight, to its backend; then records the outcome in metrics and one audit line (for
 * an allowed call, only if {@code audit.allowed} asks for it; a refusal always has its line). {@link #handle} blocks
 * (a worker thread); {@link #start} runs a call on its event loop as far as nothing on its way may wait.
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
     * Blocking: on a worker thread. Every log line of the call carries its request id through the MDC, guards'
     * lines included. The whole call, guards, backend and audit line, runs under the policy set in force when it
     * started.
     *
     * @param transport how the call arrived ({@link CallRecorder#JSON}, {@link CallRecorder#MCP}, {@link CallRecorder#SOAP})
     */
    public CallResult handle(ToolCall call, String transport) {
        return policies.pinned(() -> handlePinned(withPinnedTool(call), transport));
    }

    /**
     * Starts the call on its connection's event loop and returns at once. It stays there as long as no guard may
     * block on it and its backend can be called without blocking (a SOAP service, with limits in this process):
     * checked, sent and answered with no thread hand-off. From the first step that may wait (a queue, a file, a
     * database, the fleet's store) it continues on a virtual thread, as {@link #handle} does. The future completes
     * with the result, on the thread that ended the call.
     */
    public CompletableFuture<CallResult> start(ToolCall call, String transport, CallControl control) {
        return policies.pinned(() -> startPinned(withPinnedTool(call), transport, control, policies.get()));
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
            Handled handled = refusedBeforeBackend(call);
            if (handled == null) {
                Instant start = clock.instant();
                CallResult result = null;
                try {
                    result = backends.get(call.tool().backend()).invoke(call);
                } catch (RuntimeException e) {
                    inFlight.leave(call);
                    handled = failed(call, e);
                }
                if (result != null) {
                    // Outside the catch above: atBackend gives the place back itself, so it is never given twice.
                    handled = atBackend(call, result, start);
                }
            }
            return concluded(call, handled, transport);
        }
    }

    private CompletableFuture<CallResult> startPinned(ToolCall call, String transport, CallControl control, PolicySet set) {
        if (chain.mayBlock(call)) {
            return control.offload(() -> policies.pinnedTo(set, () -> handlePinned(call, transport)));
        }
        metrics.started();
        Handled refused;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("requestId", call.requestId())) {
            refused = refusedBeforeBackend(call);
            if (refused != null) {
                return CompletableFuture.completedFuture(concluded(call, refused, transport));
            }
        }
        Instant start = clock.instant();
        Backend backend = backends.get(call.tool().backend());
        CompletableFuture<CallResult> answered;
        try {
            answered = backend instanceof AsyncBackend async ? async.start(call, control)
                    : control.offload(() -> backend.invoke(call));
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        // A backend failure no backend maps means the call never went; once it has an outcome, it ends in finish.
        return answered
                .handle((result, e) -> e != null
                        ? CompletableFuture.completedFuture(notSent(call, transport, set, unwrapped(e)))
                        : ended(call, transport, set, result, start, control))
                .thenCompose(Function.identity())
                // Only a bug gets here, past the backend: the agent still gets an answer.
                .exceptionally(e -> inScope(call, set, () -> unexpected(call, unwrapped(e)).result()));
    }

    /**
     * A failure may complete an error streak, whose halt writes the halts file: it is told on a virtual thread,
     * unless none can be had any more (shutting down), when it is told here rather than not at all.
     */
    private CompletableFuture<CallResult> ended(ToolCall call, String transport, PolicySet set, CallResult result,
            Instant start, CallControl control) {
        if (result instanceof CallResult.Success) {
            return CompletableFuture.completedFuture(finish(call, transport, set, result, start));
        }
        try {
            return control.offload(() -> finish(call, transport, set, result, start));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(finish(call, transport, set, result, start));
        }
    }

    private static Throwable unwrapped(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** A call whose backend failed in a way no backend maps (a bug): it never reached the service. */
    private CallResult notSent(ToolCall call, String transport, PolicySet set, Throwable e) {
        return inScope(call, set, () -> {
            inFlight.leave(call);
            return concluded(call, failed(call, e), transport);
        });
    }

    /** The rest of a call, on whichever thread ended its last step: pinned to its policy set, its id in the MDC. */
    private <T> T inScope(ToolCall call, PolicySet set, Supplier<T> work) {
        return policies.pinnedTo(set, () -> {
            try (MDC.MDCCloseable ignored = MDC.putCloseable("requestId", call.requestId())) {
                return work.get();
            }
        });
    }

    private CallResult finish(ToolCall call, String transport, PolicySet set, CallResult result, Instant start) {
        return inScope(call, set, () -> concluded(call, atBackend(call, result, start), transport));
    }

    /** The guards and the agent's in-flight cap: a refusal, or null when the call may go to its backend. */
    private Handled refusedBeforeBackend(ToolCall call) {
        try {
            GuardChain.Decision decision = chain.check(call);
            if (decision.verdict() instanceof Refusal refusal) {
                return new Handled(new CallResult.Failure(refusal), decision.decidedBy(), Duration.ZERO);
            }
            if (inFlight.enter(call) instanceof Refusal refusal) {
                return new Handled(new CallResult.Failure(refusal), "in-flight", Duration.ZERO);
            }
            return null;
        } catch (RuntimeException e) {
            return failed(call, e);
        }
    }

    /**
     * Tells the guards how the call ended, then gives its in-flight place back: only once the guards have learnt
     * the outcome, so a fault that completes a streak halts the agent before another of its calls can take it.
     */
    private Handled atBackend(ToolCall call, CallResult result, Instant start) {
        try {
            chain.completed(call, result);
        } catch (RuntimeException e) {
            return failed(call, e);
        } finally {
            inFlight.leave(call);
        }
        Duration atBackend = Duration.between(start, clock.instant());
        metrics.backendLatency(call.tool().backend(), call.tool().name(), outcomeOf(result), atBackend);
        return new Handled(result, "backend", atBackend);
    }

    /**
     * The audit line and the capture; returns the result. By now the call is decided and its place given back, so
     * a failure to record it is logged and the agent still gets its answer.
     */
    private CallResult concluded(ToolCall call, Handled handled, String transport) {
        try {
            audit(call, handled);
            recorder.record(call, transport, outcomeOf(handled.result()), handled.decidedBy());
        } catch (RuntimeException e) {
            LOG.error("a decided call could not be recorded", kv("event", Events.INTERNAL_ERROR), e);
        }
        return handled.result();
    }

    private Handled failed(ToolCall call, Throwable e) {
        if (e instanceof StoreUnavailable unavailable) {
            return new Handled(new CallResult.Failure(Refusals.sharedLimitsUnavailable(unavailable.retryAfter())), "store",
                    Duration.ZERO);
        }
        return unexpected(call, e);
    }

    /**
     * A failure no backend mapped. On a thread interrupted because its client left, it is that cancellation
     * surfacing from some library (a lease future, a lock): the call was cancelled, which is not an error.
     */
    private static Handled unexpected(ToolCall call, Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            LOG.debug("cancelled call ended with {}", e.toString());
            return new Handled(new CallResult.Failure(Refusals.cancelled()), "oldguard", Duration.ZERO);
        }
        LOG.error("unexpected failure", kv("event", Events.INTERNAL_ERROR), e);
        return new Handled(new CallResult.Failure(Refusals.internalError(call.requestId())), "oldguard", Duration.ZERO);
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
