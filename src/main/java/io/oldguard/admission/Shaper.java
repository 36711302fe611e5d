package io.oldguard.admission;

import io.github.bucket4j.ConsumptionProbe;
import io.oldguard.config.BackendLimits;
import io.oldguard.config.Rate;
import io.oldguard.store.SharedState;
import io.oldguard.store.TokenBucket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The backend-wide leaky bucket, shared fairly between agents: instead of passing a burst on, calls wait for their
 * turn at the backend's rate, and while several agents wait, {@link FairQueue} decides whose call goes next, so one
 * agent's storm does not slow the others down. This class is the part that acts on those decisions: a dispatcher
 * on its own virtual thread (alive only while calls wait) takes each chosen call's tokens from the bucket when
 * they are there and wakes the call; the call waits on its own virtual thread. The tokens are taken outside the
 * lock: in fleet mode that is a Redis round trip, and the bucket is the fleet's, so the rate holds across every
 * sidecar while the queue, and so fairness, is this sidecar's.
 *
 * <p>Every wait is bounded in time ({@code maxWait}, or the call's deadline) and in queue length, overall and per
 * agent. A call whose turn is clearly further away than its bound is refused at once rather than after waiting
 * for it: its place is estimated from the tokens queued ahead of it at the bucket's rate, and it is queued only
 * when that turn is within nine tenths of its bound. A queued call that falls so far behind (other agents' calls
 * went first) that its turn can no longer come in time is told so as soon as the dispatcher sees it.
 */
final class Shaper {

    /** A call's place in the queue, or a call that passed at once; {@link #await} waits for its turn. */
    static final class Ticket {
        private enum State { WAITING, GRANTED, FAILED, LEFT }

        private final Shaper shaper;
        private final FairQueue.Entry<Ticket> entry;
        private final CountDownLatch turn = new CountDownLatch(1);
        // Written under the shaper's lock; read after the latch opens, or under the lock.
        private State state;
        private RuntimeException failure;

        private Ticket(Shaper shaper, String agent, long cost, double share, Duration maxWait) {
            this.shaper = shaper;
            this.state = State.WAITING;
            this.entry = shaper.queue.add(agent, cost, share, shaper.clock.instant().plus(maxWait), this);
        }

        private Ticket() {
            this.shaper = null;
            this.entry = null;
            this.state = State.GRANTED;
            turn.countDown();
        }

        /**
         * Waits for the call's turn, at most until its bound.
         *
         * @return true once its tokens are taken; false when its turn did not come within the bound (it has left)
         * @throws InterruptedException when the call is cancelled: it leaves the queue at once, and tokens taken
         *                              for it meanwhile go back to the bucket
         */
        boolean await() throws InterruptedException {
            if (entry == null) {
                return true;
            }
            long nanos = Duration.between(shaper.clock.instant(), entry.waitUntil()).toNanos();
            boolean opened;
            try {
                opened = turn.await(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                if (shaper.leave(this) == State.GRANTED) {
                    shaper.refund(entry.cost());
                }
                throw e;
            }
            State last = opened ? shaper.stateOf(this) : shaper.leave(this);
            if (last == State.FAILED) {
                throw failure;
            }
            // A turn that came just as the bound ran out is still taken.
            return last == State.GRANTED;
        }
    }

    /** Either a ticket, or why not and when to try again. */
    record Admission(Ticket ticket, String refusedBecause, Duration retryAfter) {
        boolean admitted() {
            return ticket != null;
        }
    }

    private static final Ticket PASSED = new Ticket();
    private static final long MIN_SLEEP = 100_000;
    private static final long MAX_SLEEP = 250_000_000;
    // A call is queued only for a turn within maxWait less maxWait / RESERVE_DIVISOR.
    private static final int RESERVE_DIVISOR = 10;

    private final SharedState state;
    private final String key;
    private final Clock clock;
    // All guarded by this. A reload may change the limits between two calls.
    private final FairQueue<Ticket> queue;
    private Rate rate;
    private int maxQueue;
    private int maxQueuePerAgent;
    private boolean dispatching;
    // What this sidecar actually gets while calls wait: in fleet mode the other sidecars take from the same bucket.
    // Nanoseconds per token, averaged over the grants of the current backlog (0: none measured yet).
    private double observedNanosPerToken;
    private Instant lastGrant;

    /** @param key the backend's bucket in the store: this sidecar's own, or the fleet's in fleet mode */
    Shaper(BackendLimits limits, SharedState state, String key, Clock clock) {
        this.state = state;
        this.key = key;
        this.clock = clock;
        this.queue = new FairQueue<>(clock);
        reconfigure(limits);
    }

    /**
     * Applies edited limits to the running bucket. Its tokens stay as they are (cut to a smaller burst), so a
     * reload never hands out a fresh burst; waiting calls keep their places.
     */
    synchronized void reconfigure(BackendLimits limits) {
        rate = limits.rate();
        if (rate != null) {
            state.bucket(key, rate);
        }
        maxQueue = limits.maxQueue();
        maxQueuePerAgent = limits.maxQueuePerAgent();
    }

    /**
     * Lets the call through at once when nobody waits and the bucket has its tokens, queues it when its turn is
     * within {@code maxWait}, or refuses it.
     *
     * @param share the agent's weight among the agents waiting ({@code agents.<id>.share}, 1 by default)
     */
    Admission admit(String agent, double share, long cost, Duration maxWait) {
        Rate current;
        synchronized (this) {
            current = rate;
            if (current == null) {
                return new Admission(PASSED, null, null);
            }
            if (cost > current.burst()) {
                // Never passes, whenever it is tried; the policy needs a lower cost or the backend a larger burst.
                return refused("a call of cost " + cost + " never fits its burst of " + current.burst(),
                        current.period().toNanos());
            }
            Admission refused = placeRefused(agent, cost, current);
            if (refused != null) {
                return refused;
            }
            if (!queue.isEmpty()) {
                return enqueue(agent, share, cost, maxWait, current, 0);
            }
        }
        // Nobody waits: take the tokens now if they are there, outside the lock (a Redis round trip in fleet mode).
        ConsumptionProbe probe = bucket(current).tryConsume(cost);
        if (probe.isConsumed()) {
            return new Admission(PASSED, null, null);
        }
        synchronized (this) {
            Admission refused = placeRefused(agent, cost, current);
            return refused != null ? refused : enqueue(agent, share, cost, maxWait, current, probe.getNanosToWaitForRefill());
        }
    }

    /**
     * Lets the call through if it can pass at once (nobody waits and the bucket has its tokens), taking its tokens;
     * otherwise takes nothing and returns false, and the call is {@link #admit admitted} the waiting way. Only for a
     * bucket in this process's memory: on an event loop.
     */
    boolean passNow(long cost) {
        Rate current;
        synchronized (this) {
            current = rate;
            if (current == null) {
                return true;
            }
            if (!queue.isEmpty() || cost > current.burst()) {
                return false;
            }
        }
        return bucket(current).tryConsume(cost).isConsumed();
    }

    /** How long until a call of {@code agent} would get its turn, for a refusal's Retry-After (at least 1 ms). */
    synchronized Duration retryAfter(String agent, long cost) {
        return rate == null ? Duration.ofMillis(1) : Duration.ofNanos(Math.max(estimate(agent, cost, rate), 1_000_000));
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Agents with calls waiting: the fair-share state. */
    synchronized int waitingAgents() {
        return queue.agents();
    }

    /** Refuses a call for which there is no place in the queue, overall or for its agent. */
    private Admission placeRefused(String agent, long cost, Rate current) {
        if (queue.size() >= maxQueue) {
            return refused("all " + maxQueue + " places in its queue are taken", estimate(agent, cost, current));
        }
        if (queue.waiting(agent) >= maxQueuePerAgent) {
            return refused("agent " + agent + " already has " + maxQueuePerAgent + " calls waiting",
                    estimate(agent, cost, current));
        }
        return null;
    }

    /**
     * Queues the call unless its turn is further away than {@code maxWait} less a tenth. The tenth is kept in
     * reserve: an estimate is made from the queue as it is now, and calls of other agents that arrive meanwhile
     * may be served first (that is fairness), so a call queued with its turn just inside its bound would often
     * miss it and be refused only after waiting the whole bound.
     *
     * @param firstWait for a call that would wait alone: the bucket's own word on when its tokens are there
     */
    private Admission enqueue(String agent, double share, long cost, Duration maxWait, Rate current, long firstWait) {
        long turn = queue.isEmpty() ? firstWait : estimate(agent, cost, current);
        long queueable = maxWait.toNanos() - maxWait.toNanos() / RESERVE_DIVISOR;
        if (turn > queueable) {
            return refused("its turn is about " + ceilMillis(turn) + " ms away, and a call is queued only for a turn within "
                    + ceilMillis(queueable) + " ms (nine tenths of the " + maxWait.toMillis() + " ms it may wait)", turn);
        }
        Ticket ticket = new Ticket(this, agent, cost, share, maxWait);
        if (!dispatching) {
            dispatching = true;
            observedNanosPerToken = 0;
            lastGrant = null;
            Thread.ofVirtual().name("shaper-" + key).start(this::dispatch);
        }
        return new Admission(ticket, null, null);
    }

    /**
     * When the call would get its tokens: every token queued ahead of it, then its own, refilled at the rate (the
     * bucket itself is empty while calls wait: the dispatcher takes each token as it comes) — or at the pace this
     * sidecar has been getting them, when that is slower (other sidecars of the fleet take from the same bucket).
     */
    private long estimate(String agent, long cost, Rate current) {
        long tokens = queue.tokensAhead(agent) + cost;
        return (long) (tokens * nanosPerToken(current));
    }

    /** The pace at which this sidecar gets tokens: the rate's, or slower when the fleet shares the bucket. */
    private double nanosPerToken(Rate current) {
        return Math.max((double) current.period().toNanos() / current.amount(), observedNanosPerToken);
    }

    private static long ceilMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }

    /** Averages the time per token between two grants of one backlog (an exponential average, 1/4 weight). */
    private void observeGrant(long cost) {
        Instant now = clock.instant();
        if (lastGrant != null) {
            double sample = (double) Duration.between(lastGrant, now).toNanos() / cost;
            observedNanosPerToken = observedNanosPerToken == 0 ? sample : 0.75 * observedNanosPerToken + 0.25 * sample;
        }
        lastGrant = now;
    }

    private static Admission refused(String why, long retryAfterNanos) {
        return new Admission(null, why, Duration.ofNanos(Math.max(retryAfterNanos, 1_000_000)));
    }

    /**
     * The dispatcher: while calls wait, takes the tokens of the one {@link FairQueue} chooses and wakes it, or
     * sleeps until the bucket has refilled. It decides again after every wait, so a call that arrived meanwhile is
     * weighed too. Runs on its own virtual thread; ends when nothing waits.
     */
    private void dispatch() {
        while (true) {
            FairQueue.Entry<Ticket> next;
            Rate current;
            synchronized (this) {
                if (rate != null) {
                    // A call that can no longer get its turn in time, even at the full rate, is told now, not when its
                    // bound runs out. (Not at the pace observed: after a stall the bucket pays the missed tokens out
                    // at once, and a call given up on at the slow pace would have made it.)
                    double fullRate = (double) rate.period().toNanos() / rate.amount();
                    for (FairQueue.Entry<Ticket> late : queue.beyondBound(clock.instant(), fullRate)) {
                        drop(late.payload());
                    }
                }
                next = queue.next();
                if (next == null) {
                    dispatching = false;
                    return;
                }
                current = rate;
            }
            if (current == null) {
                // Shaping was switched off by a reload: the waiting calls go now.
                grant(next.payload());
                continue;
            }
            if (next.cost() > current.burst()) {
                // A reload cut the burst below this call's cost: it could never go, and would hold up everyone.
                drop(next.payload());
                continue;
            }
            ConsumptionProbe probe;
            try {
                probe = bucket(current).tryConsume(next.cost());
            } catch (RuntimeException e) {
                // The store is away and configured to refuse: this call gets that answer, and the next is tried.
                fail(next.payload(), e);
                continue;
            }
            if (probe.isConsumed()) {
                if (!grant(next.payload())) {
                    refund(next.cost());
                } else if (probe.getRemainingTokens() > 0) {
                    grantFromBacklog(current, probe.getRemainingTokens());
                }
            } else {
                try {
                    // Capped, so that a call whose bound passes meanwhile, or a reload, is seen in good time.
                    Thread.sleep(Duration.ofNanos(Math.clamp(probe.getNanosToWaitForRefill(), MIN_SLEEP, MAX_SLEEP)));
                } catch (InterruptedException e) {
                    // Never interrupted by oldguard; should it happen, the waiting calls still end at their bounds.
                    Thread.currentThread().interrupt();
                    synchronized (this) {
                        dispatching = false;
                    }
                    return;
                }
            }
        }
    }

    /**
     * The bucket had more tokens than the call just served needed (the dispatcher was late, or the burst refilled
     * while few waited): takes what the waiting calls need of them in one operation, and hands them out in the
     * queue's order. In fleet mode that is one round trip to Redis instead of one per call.
     */
    private void grantFromBacklog(Rate current, long available) {
        long wanted;
        synchronized (this) {
            wanted = Math.min(available, queue.tokens());
        }
        if (wanted <= 0) {
            return;
        }
        long left;
        try {
            left = bucket(current).tryConsumeUpTo(wanted);
        } catch (RuntimeException e) {
            // The store is away: the next turn of the dispatcher sees it and answers the calls.
            return;
        }
        synchronized (this) {
            for (FairQueue.Entry<Ticket> next = queue.next(); next != null && next.cost() <= left; next = queue.next()) {
                grant(next.payload());
                left -= next.cost();
            }
        }
        if (left > 0) {
            refund(left);
        }
    }

    /** Hands the taken tokens to the call; false when it has left meanwhile (the tokens must go back). */
    private synchronized boolean grant(Ticket ticket) {
        if (ticket.state != Ticket.State.WAITING) {
            return false;
        }
        queue.dispatched(ticket.entry);
        observeGrant(ticket.entry.cost());
        ticket.state = Ticket.State.GRANTED;
        ticket.turn.countDown();
        return true;
    }

    /** Ends a call's wait without its turn: it answers as if its bound had passed. */
    private synchronized void drop(Ticket ticket) {
        if (ticket.state == Ticket.State.WAITING) {
            queue.remove(ticket.entry);
            ticket.state = Ticket.State.LEFT;
            ticket.turn.countDown();
        }
    }

    private synchronized void fail(Ticket ticket, RuntimeException failure) {
        if (ticket.state == Ticket.State.WAITING) {
            queue.remove(ticket.entry);
            ticket.failure = failure;
            ticket.state = Ticket.State.FAILED;
            ticket.turn.countDown();
        }
    }

    private synchronized Ticket.State stateOf(Ticket ticket) {
        return ticket.state;
    }

    /** Takes a waiting call out of the queue; answers the state it was in (it left only if that was WAITING). */
    private synchronized Ticket.State leave(Ticket ticket) {
        Ticket.State was = ticket.state;
        if (was == Ticket.State.WAITING) {
            queue.remove(ticket.entry);
            ticket.state = Ticket.State.LEFT;
        }
        return was;
    }

    /** Tokens taken for a call that then was not sent go back to the bucket (never above its burst). */
    void refund(long tokens) {
        Rate current;
        synchronized (this) {
            current = rate;
        }
        if (current == null) {
            return;
        }
        try {
            bucket(current).refund(tokens);
        } catch (RuntimeException e) {
            // The store is away: the tokens stay spent, which only under-shoots the rate.
        }
    }

    private TokenBucket bucket(Rate current) {
        return state.bucket(key, current);
    }
}
