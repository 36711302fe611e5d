package io.oldguard.admission;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.oldguard.config.BackendLimits;
import io.oldguard.config.Rate;
import io.oldguard.ratelimit.Buckets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The backend-wide leaky bucket: instead of passing a burst on, each call reserves the next free slot at the
 * backend's rate and waits for it, so the legacy service sees a smooth flow. Deciding and waiting are split:
 * {@link #admit} reserves (or refuses) at once and says how long to wait; the caller waits on its own virtual
 * thread. The wait is bounded in time ({@code maxWait}, or the call's deadline) and in queue length, overall
 * and per agent, so one agent's storm cannot take every place in the queue.
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

    private final TimeMeter time;
    // Guarded by this, like the queue counts: a reload may change them between two calls.
    private Bucket bucket;
    private Rate rate;
    private int maxQueue;
    private int maxQueuePerAgent;
    private int queued;
    private final Map<String, Integer> queuedByAgent = new HashMap<>();

    Shaper(BackendLimits limits, TimeMeter time) {
        this.time = time;
        reconfigure(limits);
    }

    /**
     * Applies edited limits to the running bucket. Its tokens stay as they are (cut to a smaller burst), so a
     * reload never hands out a fresh burst; waiting calls keep the turns they reserved.
     */
    synchronized void reconfigure(BackendLimits limits) {
        Rate edited = limits.rate();
        if (edited == null) {
            bucket = null;
        } else if (bucket == null) {
            bucket = Buckets.of(edited, time);
        } else if (!edited.equals(rate)) {
            bucket.replaceConfiguration(Buckets.configuration(edited), TokensInheritanceStrategy.AS_IS);
        }
        rate = edited;
        maxQueue = limits.maxQueue();
        maxQueuePerAgent = limits.maxQueuePerAgent();
    }

    synchronized Admission admit(String agent, long cost, Duration maxWait) {
        if (bucket == null) {
            return new Admission(new Ticket(this, agent, 0), null, null);
        }
        if (queued >= maxQueue) {
            return refused("all " + maxQueue + " places in its queue are taken", cost);
        }
        if (queuedByAgent.getOrDefault(agent, 0) >= maxQueuePerAgent) {
            return refused("agent " + agent + " already has " + maxQueuePerAgent + " calls waiting", cost);
        }
        long[] wait = {0};
        boolean reserved;
        if (maxWait.isZero() || maxWait.isNegative()) {
            reserved = bucket.tryConsume(cost);
        } else {
            try {
                // The "blocking strategy" only records the wait: the caller waits after leaving this lock.
                reserved = bucket.asBlocking().tryConsume(cost, maxWait.toNanos(), nanos -> wait[0] = nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reserved = false;
            }
        }
        if (!reserved) {
            return refused("a turn is more than " + maxWait.toMillis() + " ms away", cost);
        }
        if (wait[0] > 0) {
            queued++;
            queuedByAgent.merge(agent, 1, Integer::sum);
        }
        return new Admission(new Ticket(this, agent, wait[0]), null, null);
    }

    synchronized int queued() {
        return queued;
    }

    private synchronized void leave(String agent) {
        queued--;
        queuedByAgent.computeIfPresent(agent, (a, n) -> n <= 1 ? null : n - 1);
    }

    private Admission refused(String why, long cost) {
        long nanos = bucket.estimateAbilityToConsume(cost).getNanosToWaitForRefill();
        return new Admission(null, why, Duration.ofNanos(Math.max(nanos, 1_000_000)));
    }
}
