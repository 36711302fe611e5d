package io.oldguard.admission;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.oldguard.audit.Events;
import io.oldguard.call.AsyncBackend;
import io.oldguard.call.Backend;
import io.oldguard.call.CallControl;
import io.oldguard.call.CallResult;
import io.oldguard.call.Reachability;
import io.oldguard.call.ToolCall;
import io.oldguard.config.BackendLimits;
import io.oldguard.config.BreakerSettings;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.AgentPolicy;
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.ToolPolicy;
import io.oldguard.store.Leases;
import io.oldguard.store.SharedState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission to one backend — the last step before the legacy service, in this order:
 * <ol>
 *   <li>the circuit breaker: while open, fail fast (503 + the time until the next probe);</li>
 *   <li>the shaper: wait for the call's turn at the backend's rate, shared fairly between the agents waiting,
 *       bounded in time and queue length;</li>
 *   <li>the bulkhead: wait, bounded the same way, for one of {@code maxConnections} slots;</li>
 *   <li>in fleet mode, a lease on one of the same number of slots across the fleet, which runs out by itself
 *       shortly after the call's deadline if its sidecar dies holding it;</li>
 *   <li>the last look: a halt made while the call waited stops it here (423), so nothing of a halted agent
 *       leaves after its halt;</li>
 *   <li>the call itself, whose outcome the breaker records.</li>
 * </ol>
 * Every wait also ends at the call's deadline, and a cancelled call (client gone) leaves any wait at once; the
 * bulkhead slot and the breaker permission are always given back, and so are the tokens of a call that had its
 * turn but was not sent. Nothing here ever retries.
 */
public final class ProtectedBackend implements AsyncBackend {

    private static final Logger LOG = LoggerFactory.getLogger(ProtectedBackend.class);
    // A lease outlives its call's deadline by this much, for the answer to come back; then it runs out by itself.
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(2);
    private static final java.util.Set<String> TIMEOUTS = java.util.Set.of("backend_timeout", "db_timeout");

    private final String name;
    private final Backend inner;
    private volatile BackendLimits limits;
    private final Shaper shaper;
    private final Bulkhead bulkhead;
    private final Leases fleetSlots;
    // The store answers from memory (no fleet mode): admission can be decided on an event loop.
    private final boolean answersAtOnce;
    private final BackendBreaker breaker;
    private final Guard lastLook;
    private final Supplier<PolicySet> policies;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Map<String, Timer> queueWait = new ConcurrentHashMap<>();
    private final Map<String, Counter> fairTokens = new ConcurrentHashMap<>();

    /**
     * @param maxInFlight the bulkhead: a SOAP backend's {@code maxConnections}, a database's pool size; in fleet
     *                    mode also the cap across the fleet
     * @param lastLook    asked right before a call is sent, after every wait: the halt guard
     * @param state       where the backend's bucket and fleet leases live (this sidecar, or the fleet's Redis)
     */
    public ProtectedBackend(String name, Backend inner, int maxInFlight, BackendLimits limits, BreakerSettings breaker,
            Guard lastLook, Supplier<PolicySet> policies, Clock clock, SharedState state, MeterRegistry metrics) {
        this.name = name;
        this.inner = inner;
        this.limits = limits;
        this.shaper = new Shaper(limits, state, "backend|" + name, clock);
        this.bulkhead = new Bulkhead(maxInFlight, limits.maxQueue());
        this.fleetSlots = state.leases(name, maxInFlight);
        this.answersAtOnce = state.local();
        this.breaker = new BackendBreaker(name, breaker, clock, metrics);
        this.lastLook = lastLook;
        this.policies = policies;
        this.clock = clock;
        this.metrics = metrics;
        Gauge.builder(MetricNames.BACKEND_IN_FLIGHT, bulkhead, Bulkhead::inFlight).description("Calls in flight to the backend")
                .tag(MetricNames.TAG_BACKEND, name).register(metrics);
        Gauge.builder(MetricNames.BACKEND_QUEUED, shaper, Shaper::queued).description("Calls waiting for their turn")
                .tag(MetricNames.TAG_BACKEND, name).register(metrics);
        // Read at each scrape, since a reload may change the rate; NaN while the backend has none.
        Gauge.builder(MetricNames.BACKEND_RATE_LIMIT, this, b -> b.limits.rate() == null ? Double.NaN : b.limits.rate().perSecond())
                .description("Calls per second the backend's leaky bucket lets through")
                .tag(MetricNames.TAG_BACKEND, name).register(metrics);
        Gauge.builder(MetricNames.BACKEND_FAIR_AGENTS, shaper, Shaper::waitingAgents)
                .description("Agents with calls waiting, between which the backend's rate is shared")
                .tag(MetricNames.TAG_BACKEND, name).register(metrics);
    }

    @Override
    public CallResult invoke(ToolCall call) {
        Instant arrived = clock.instant();
        if (!breaker.tryAcquire()) {
            return refused(call, Refusals.circuitOpen(name, breaker.retryAfter()));
        }
        boolean permissionUsed = false;
        long tokensHeld = 0;
        try {
            double share = share(call);
            long cost = cost(call);
            // One bound for every wait below together: maxWait from arrival, never past the deadline.
            Instant waitUntil = waitUntil(call, arrived);
            Duration shaping = until(waitUntil);
            Shaper.Admission admission = shaper.admit(call.agent(), share, cost, shaping);
            if (!admission.admitted()) {
                return refused(call, Refusals.backendSaturated(name, admission.refusedBecause(), admission.retryAfter()));
            }
            if (!admission.ticket().await()) {
                return refused(call, Refusals.backendSaturated(name, "its turn could not come within " + shaping.toMillis()
                        + " ms", shaper.retryAfter(call.agent(), cost)));
            }
            tokensHeld = cost;
            countTokens(call, cost);
            Bulkhead.Entry entry = bulkhead.tryEnter(until(waitUntil));
            if (entry != Bulkhead.Entry.ENTERED) {
                return pastDeadline(call) ? timedOut(call) : refused(call, Refusals.backendBusy(name,
                        entry == Bulkhead.Entry.QUEUE_FULL
                                ? "all " + bulkhead.maxInFlight() + " connections are in use and " + bulkhead.maxWaiting()
                                        + " calls are already waiting for one"
                                : "all " + bulkhead.maxInFlight() + " connections stayed in use as long as a call may wait",
                        Duration.ofSeconds(1)));
            }
            try (Leases.Lease lease = fleetSlots.acquire(until(waitUntil), call.deadline().plus(LEASE_MARGIN))) {
                if (lease == null) {
                    return pastDeadline(call) ? timedOut(call) : refused(call, Refusals.backendBusy(name,
                            "all " + bulkhead.maxInFlight() + " connections across the fleet stayed in use as long as a call may wait",
                            Duration.ofSeconds(1)));
                }
                queueWait(call.agent()).record(Duration.between(arrived, clock.instant()));
                if (pastDeadline(call)) {
                    return timedOut(call);
                }
                // The agent may have been halted while this call waited: the guards' verdict is stale by now.
                if (lastLook.check(call) instanceof Refusal refusal) {
                    return new CallResult.Failure(refusal);
                }
                Instant start = clock.instant();
                tokensHeld = 0;
                CallResult result = inner.invoke(call);
                permissionUsed = recordOutcome(call, result, start);
                return result;
            } finally {
                bulkhead.exit();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CallResult.Failure(Refusals.cancelled());
        } finally {
            if (tokensHeld > 0) {
                // The call had its turn but never went (no connection in time, its deadline, a halt, cancelled): the
                // rate counts calls that reach the backend, so its tokens go to the next call instead of being lost.
                shaper.refund(tokensHeld);
            }
            if (!permissionUsed) {
                breaker.release();
            }
        }
    }

    /**
     * Takes the call as far as it can go on the calling thread (its event loop) without waiting: when the breaker
     * lets it through, its tokens are there with nobody queued, and a connection and (in fleet mode, never on this
     * path) a fleet slot are free, it is sent from here and its outcome recorded when the answer comes. A call that
     * would wait for any of them gives back what it took and goes the blocking way ({@link #invoke}) on a virtual
     * thread, as does every call to a backend that cannot be called without blocking (a database).
     */
    @Override
    public CompletableFuture<CallResult> start(ToolCall call, CallControl control) {
        if (!(inner instanceof AsyncBackend async) || !answersAtOnce) {
            return control.offload(() -> invoke(call));
        }
        Instant arrived = clock.instant();
        if (!breaker.tryAcquire()) {
            return CompletableFuture.completedFuture(refused(call, Refusals.circuitOpen(name, breaker.retryAfter())));
        }
        long cost = cost(call);
        if (!shaper.passNow(cost)) {
            breaker.release();
            return control.offload(() -> invoke(call));
        }
        boolean entered = bulkhead.tryEnterNow();
        Leases.Lease lease = entered ? fleetSlots.tryNow(call.deadline().plus(LEASE_MARGIN)) : null;
        if (lease == null || lastLook.mayBlock(call)) {
            // No connection free, or the agent has a halt on record whose check may touch the halts file.
            giveBack(entered, lease, cost);
            return control.offload(() -> invoke(call));
        }
        countTokens(call, cost);
        queueWait(call.agent()).record(Duration.between(arrived, clock.instant()));
        CallResult refusal = pastDeadline(call) ? timedOut(call)
                : lastLook.check(call) instanceof Refusal r ? new CallResult.Failure(r) : null;
        if (refusal != null) {
            giveBack(true, lease, cost);
            return CompletableFuture.completedFuture(refusal);
        }
        Instant start = clock.instant();
        boolean[] permissionUsed = {false};
        CompletableFuture<CallResult> sent;
        try {
            sent = async.start(call, control);
        } catch (RuntimeException e) {
            giveBack(true, lease, cost);
            throw e;
        }
        return sent
                .thenApply(result -> {
                    permissionUsed[0] = recordOutcome(call, result, start);
                    return result;
                })
                .whenComplete((result, failure) -> {
                    lease.close();
                    bulkhead.exit();
                    if (!permissionUsed[0]) {
                        breaker.release();
                    }
                });
    }

    /** What a call that did not go gives back: its slot (if it had one), its tokens, the breaker's permission. */
    private void giveBack(boolean entered, Leases.Lease lease, long cost) {
        if (lease != null) {
            lease.close();
        }
        if (entered) {
            bulkhead.exit();
        }
        shaper.refund(cost);
        breaker.release();
    }

    /**
     * Tells the breaker how the call went, unless the client's own shorter deadline ended it; a throttling
     * answer holds the breaker open for the service's {@code Retry-After}.
     *
     * @return whether the breaker's permission was used (else the caller releases it)
     */
    private boolean recordOutcome(ToolCall call, CallResult result, Instant start) {
        if (call.deadlineFromClient() && result instanceof CallResult.Failure f && TIMEOUTS.contains(f.refusal().outcome())) {
            // The client chose a shorter deadline: its impatience must not open the breaker for everyone.
            return false;
        }
        breaker.record(result, Duration.between(start, clock.instant()));
        if (result instanceof CallResult.Failure f && "backend_throttled".equals(f.refusal().outcome())) {
            breaker.holdFor(f.refusal().retryAfter());
        }
        return true;
    }

    private void countTokens(ToolCall call, long cost) {
        fairTokens.computeIfAbsent(call.agent(), agent -> Counter.builder(MetricNames.BACKEND_FAIR_TOKENS)
                .description("Tokens the backend's shaper gave each agent")
                .tags(MetricNames.TAG_BACKEND, name, MetricNames.TAG_AGENT, agent).register(metrics)).increment(cost);
    }

    /** Applies a reload's edited limits: the rate, {@code maxWait} and the queue bounds; the number of slots stays. */
    public void reconfigure(BackendLimits edited) {
        if (edited.equals(limits)) {
            return;
        }
        LOG.warn("backend {} limits changed live: {} -> {}", name, limits, edited, kv("event", Events.BACKEND_LIMITS_CHANGED),
                kv("backend", name));
        shaper.reconfigure(edited);
        bulkhead.maxWaiting(edited.maxQueue());
        limits = edited;
    }

    @Override
    public Reachability probe() {
        return inner.probe();
    }

    /**
     * Until when a call may wait, in all (for its turn, a connection and a fleet slot together): {@code maxWait}
     * after it arrived here, and never past its deadline.
     */
    private Instant waitUntil(ToolCall call, Instant arrived) {
        Instant bound = arrived.plus(limits.maxWait());
        return bound.isBefore(call.deadline()) ? bound : call.deadline();
    }

    /** What is left of a wait bound: zero once it has passed. */
    private Duration until(Instant waitUntil) {
        Duration left = Duration.between(clock.instant(), waitUntil);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private boolean pastDeadline(ToolCall call) {
        return !clock.instant().isBefore(call.deadline());
    }

    private CallResult timedOut(ToolCall call) {
        return new CallResult.Failure(Refusals.backendTimeout(name, Duration.between(call.receivedAt(), call.deadline())));
    }

    private Timer queueWait(String agent) {
        return queueWait.computeIfAbsent(agent, a -> Timer.builder(MetricNames.QUEUE_WAIT)
                .description("Time calls waited for their turn at the backend")
                .tags(MetricNames.TAG_BACKEND, name, MetricNames.TAG_AGENT, a).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(metrics));
    }

    /** The agent's weight in the fair queue; equal shares for an agent the policy does not name. */
    private double share(ToolCall call) {
        AgentPolicy policy = policies.get().agents().get(call.agent());
        return policy == null ? AgentPolicy.EQUAL_SHARE : policy.share();
    }

    private long cost(ToolCall call) {
        ToolPolicy policy = policies.get().tools().get(call.tool().name());
        return policy == null ? 1 : policy.cost();
    }

    private CallResult refused(ToolCall call, Refusal refusal) {
        Counter.builder(MetricNames.LIMIT_REJECTIONS).description("Calls refused by a rate limit, by scope")
                .tags(MetricNames.TAG_SCOPE, "backend", MetricNames.TAG_AGENT, call.agent(),
                        MetricNames.TAG_TOOL, call.tool().name())
                .register(metrics).increment();
        return new CallResult.Failure(refusal);
    }
}
