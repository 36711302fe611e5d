package io.oldguard.admission;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which waiting call goes next at one backend: fair queuing across agents by virtual time (start-time fair
 * queuing, which serves in the order deficit round robin does, without its rounds or quantum). Each waiting call
 * gets a start tag — where its agent's previous waiting call finishes, or the queue's virtual time for an agent
 * with nothing waiting — and finishes at start + {@code cost / share}. The call with the smallest start goes next,
 * and the virtual time moves to it. So an agent with one call waiting goes next, ahead of every call a storming
 * agent has queued but the one already due; a call of cost 5 pushes its agent's next call five places back; while
 * both wait, an agent with share 2 is given twice the tokens of one with share 1. An agent earns no credit while
 * it has nothing waiting. Within one agent, calls keep their order of arrival.
 *
 * <p>Decisions only: no locking (the shaper holds its lock around every use), no waiting, no tokens. A call
 * whose wait bound has passed on the injected clock is never chosen; its waiting thread takes it out.
 *
 * @param <T> what the caller keeps with each waiting call
 */
final class FairQueue<T> {

    /** One waiting call, with its tags. */
    static final class Entry<T> {
        private final String agent;
        private final long cost;
        private final double increment;
        private final Instant waitUntil;
        private final long arrival;
        private final T payload;
        private double start;
        private double finish;

        private Entry(String agent, long cost, double share, Instant waitUntil, long arrival, T payload) {
            this.agent = agent;
            this.cost = cost;
            this.increment = cost / share;
            this.waitUntil = waitUntil;
            this.arrival = arrival;
            this.payload = payload;
        }

        String agent() {
            return agent;
        }

        long cost() {
            return cost;
        }

        Instant waitUntil() {
            return waitUntil;
        }

        T payload() {
            return payload;
        }

        private boolean before(Entry<T> other) {
            return start < other.start || (start == other.start && arrival < other.arrival);
        }
    }

    private final Clock clock;
    // Agents with calls waiting, each queue in order of arrival (so also in order of tags).
    private final Map<String, ArrayDeque<Entry<T>>> byAgent = new LinkedHashMap<>();
    private double virtualTime;
    private long arrivals;
    private int size;
    private long tokens;

    FairQueue(Clock clock) {
        this.clock = clock;
    }

    /**
     * Queues a call.
     *
     * @param share     the agent's weight, {@code > 0}
     * @param waitUntil after this instant the call is never chosen
     */
    Entry<T> add(String agent, long cost, double share, Instant waitUntil, T payload) {
        if (cost < 1 || !(share > 0)) {
            throw new IllegalArgumentException("cost: " + cost + ", share: " + share + " (expected: cost >= 1, share > 0)");
        }
        Entry<T> entry = new Entry<>(agent, cost, share, waitUntil, arrivals++, payload);
        ArrayDeque<Entry<T>> own = byAgent.computeIfAbsent(agent, a -> new ArrayDeque<>());
        entry.start = start(own);
        entry.finish = entry.start + entry.increment;
        own.addLast(entry);
        size++;
        tokens += cost;
        return entry;
    }

    /**
     * Tokens the queue would hand out before a call of {@code agent} offered now got its own: every waiting call
     * of that agent, and the calls of the others that start no later.
     */
    long tokensAhead(String agent) {
        double start = start(byAgent.get(agent));
        long ahead = 0;
        for (ArrayDeque<Entry<T>> queue : byAgent.values()) {
            for (Entry<T> e : queue) {
                if (e.start > start) {
                    break;
                }
                ahead += e.cost;
            }
        }
        return ahead;
    }

    /** The call that goes next, or null when nothing waits within its bound. It stays queued until dispatched. */
    Entry<T> next() {
        Instant now = clock.instant();
        Entry<T> best = null;
        for (ArrayDeque<Entry<T>> queue : byAgent.values()) {
            for (Entry<T> e : queue) {
                // The first of an agent's calls still within its bound; the later ones start later.
                if (now.isBefore(e.waitUntil)) {
                    if (best == null || e.before(best)) {
                        best = e;
                    }
                    break;
                }
            }
        }
        return best;
    }

    /**
     * Waiting calls that can no longer get their turn within their bound: the calls that go before them in this
     * queue's order (calls that arrive later can only add to those) and their own cost, handed out from
     * {@code now} at {@code nanosPerToken}, end past it — less one token, which the bucket may have nearly
     * refilled. They stay queued; the caller takes them out.
     */
    List<Entry<T>> beyondBound(Instant now, double nanosPerToken) {
        List<Entry<T>> order = new ArrayList<>(size);
        byAgent.values().forEach(order::addAll);
        order.sort((x, y) -> x.before(y) ? -1 : y.before(x) ? 1 : 0);
        List<Entry<T>> late = new ArrayList<>();
        long tokens = 0;
        for (Entry<T> e : order) {
            tokens += e.cost;
            if (now.plusNanos((long) ((tokens - 1) * nanosPerToken)).isAfter(e.waitUntil)) {
                late.add(e);
                // Out of the queue, it no longer goes before the calls after it.
                tokens -= e.cost;
            }
        }
        return late;
    }

    /** The call got its tokens: it leaves the queue and the virtual time moves to its start. */
    void dispatched(Entry<T> entry) {
        if (unlink(entry)) {
            virtualTime = Math.max(virtualTime, entry.start);
        }
    }

    /**
     * The call left without its turn (bound passed, cancelled): the agent's later calls move up by its weight (never
     * before the virtual time), so an abandoned call costs its agent nothing.
     */
    void remove(Entry<T> entry) {
        ArrayDeque<Entry<T>> own = byAgent.get(entry.agent);
        if (own == null) {
            return;
        }
        boolean after = false;
        for (Iterator<Entry<T>> it = own.iterator(); it.hasNext(); ) {
            Entry<T> e = it.next();
            if (after) {
                e.start = Math.max(virtualTime, e.start - entry.increment);
                e.finish = e.start + e.increment;
            } else if (e == entry) {
                after = true;
            }
        }
        unlink(entry);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Calls waiting. */
    int size() {
        return size;
    }

    /** Tokens the waiting calls need, together. */
    long tokens() {
        return tokens;
    }

    /** Calls of {@code agent} waiting. */
    int waiting(String agent) {
        ArrayDeque<Entry<T>> own = byAgent.get(agent);
        return own == null ? 0 : own.size();
    }

    /** Agents with calls waiting: how many ways the backend's rate is being split right now. */
    int agents() {
        return byAgent.size();
    }

    /** Where the next call of an agent starts: after its last waiting call, or now (in virtual time). */
    private double start(ArrayDeque<Entry<T>> own) {
        return own == null || own.isEmpty() ? virtualTime : Math.max(virtualTime, own.peekLast().finish);
    }

    private boolean unlink(Entry<T> entry) {
        ArrayDeque<Entry<T>> own = byAgent.get(entry.agent);
        if (own == null || !own.remove(entry)) {
            return false;
        }
        if (own.isEmpty()) {
            byAgent.remove(entry.agent);
        }
        size--;
        tokens -= entry.cost;
        return true;
    }
}
