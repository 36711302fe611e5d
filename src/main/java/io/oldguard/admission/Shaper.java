package io.oldguard.admission;

import io.oldguard.config.BackendLimits;
import io.oldguard.config.Rate;
import io.oldguard.store.SharedState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The backend-wide leaky bucket: instead of passing a burst on, each call reserves the next free slot at the
 * backend's rate and waits for it, so the legacy service sees a smooth flow. Deciding and waiting are split:
 * {@link #admit} reserves (or refuses) at once and says how long to wait; the caller waits on its own virtual
 * thread. The wait is bounded in time ({@code maxWait}, or the call's deadline) and in queue length, overall
 * and per agent, so one agent's storm cannot take every place in the queue. The bucket lives in the
 * {@link SharedState}, so in fleet mode the rate holds across every sidecar; the queue bounds are this sidecar's.
 */
final class Shaper {

    /** A reserved turn; close it once the wait is over (or abandoned) to free its place in the queue. */
    static final class Ticket implements AutoCloseable {
        private final Shaper shaper;
        private final String agent;
        private final long waitNanos;
        private boolean closed;

        private Ticket(Shaper shaper, String agent, long waitNanos) {
            this.shaper = shaper;
            this.agent = agent;
            this.waitNanos = waitNanos;
        }

        Duration waitTime() {
            return Duration.ofNanos(waitNanos);
        }

        /** Waits for the reserved turn; interruptible, so a cancelled call stops waiting at once. */
        void await() throws InterruptedException {
            if (waitNanos > 0) {
                Thread.sleep(Duration.ofNanos(waitNanos));
            }
        }

        @Override
        public void close() {
            if (!closed && waitNanos > 0) {
                closed = true;
                shaper.leave(agent);
            }
        }
    }

    /** Either a ticket, or why not and when to try again. */
    record Admission(Ticket ticket, String refusedBecause, Duration retryAfter) {
        boolean admitted() {
            return ticket != null;
        }
    }

    private final SharedState state;
    private final String key;
    // Guarded by this, like the queue counts: a reload may change them between two calls.
    private Rate rate;
    private int maxQueue;
    private int maxQueuePerAgent;
    private int queued;
    private final Map<String, Integer> queuedByAgent = new HashMap<>();

    /** @param key the backend's bucket in the store: this sidecar's own, or the fleet's in fleet mode */
    Shaper(BackendLimits limits, SharedState state, String key) {
        this.state = state;
        this.key = key;
        reconfigure(limits);
    }

    /**
     * Applies edited limits to the running bucket. Its tokens stay as they are (cut to a smaller burst), so a
     * reload never hands out a fresh burst; waiting calls keep the turns they reserved.
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
     * Takes a place in the queue (or refuses), then reserves a turn in the bucket outside the lock: in fleet mode
     * that is a Redis round trip, which must not hold up the other callers. A call that gets its turn at once gives
     * its place back straight away.
     */
    Admission admit(String agent, long cost, Duration maxWait) {
        Rate current;
        synchronized (this) {
            current = rate;
            if (current == null) {
                return new Admission(new Ticket(this, agent, 0), null, null);
            }
            if (queued >= maxQueue) {
                return refused("all " + maxQueue + " places in its queue are taken", current, cost);
            }
            if (queuedByAgent.getOrDefault(agent, 0) >= maxQueuePerAgent) {
                return refused("agent " + agent + " already has " + maxQueuePerAgent + " calls waiting", current, cost);
            }
            queued++;
            queuedByAgent.merge(agent, 1, Integer::sum);
        }
        long wait;
        try {
            wait = state.bucket(key, current).reserve(cost, maxWait);
        } catch (RuntimeException e) {
            leave(agent);
            throw e;
        }
        if (wait <= 0) {
            leave(agent);
        }
        if (wait < 0) {
            return refused("a turn is more than " + maxWait.toMillis() + " ms away", current, cost);
        }
        return new Admission(new Ticket(this, agent, wait), null, null);
    }

    synchronized int queued() {
        return queued;
    }

    private synchronized void leave(String agent) {
        queued--;
        queuedByAgent.computeIfPresent(agent, (a, n) -> n <= 1 ? null : n - 1);
    }

    private Admission refused(String why, Rate current, long cost) {
        long nanos = state.bucket(key, current).nanosUntil(cost);
        return new Admission(null, why, Duration.ofNanos(Math.max(nanos, 1_000_000)));
    }
}
