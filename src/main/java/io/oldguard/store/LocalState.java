package io.oldguard.store;

import io.github.bucket4j.TimeMeter;
import io.oldguard.config.Rate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything kept in this process: the embedded default, and the fallback of {@link RedisState} while Redis is
 * away. As a fallback it applies only a share of each fleet limit, so the fleet can only under-shoot.
 */
public final class LocalState implements SharedState {

    private final TimeMeter time;
    private final Clock clock;
    private final String sidecarId;
    // 1 for a sidecar alone; a fallback's share of each fleet-wide limit otherwise.
    private final double share;
    private final Map<String, LocalTokenBucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Leases> leases = new ConcurrentHashMap<>();
    private final LocalStreaks streaks;

    private LocalState(TimeMeter time, Clock clock, String sidecarId, double share) {
        this.time = time;
        this.clock = clock;
        this.sidecarId = sidecarId;
        this.share = share;
        this.streaks = new LocalStreaks(clock);
    }

    /** A sidecar on its own: its limits are the configured ones, and the pod's bulkhead is the only in-flight cap. */
    public static LocalState alone(TimeMeter time, Clock clock, String sidecarId) {
        return new LocalState(time, clock, sidecarId, 1.0);
    }

    /** Stands in for the fleet's store: {@code share} of every rate and in-flight cap. */
    static LocalState fallback(TimeMeter time, Clock clock, String sidecarId, double share) {
        return new LocalState(time, clock, sidecarId, share);
    }

    @Override
    public TokenBucket bucket(String key, Rate rate) {
        Rate applied = share >= 1.0 ? rate : rate.share(share);
        LocalTokenBucket found = buckets.get(key);
        if (found != null && found.rate().equals(applied)) {
            return found;
        }
        return buckets.compute(key, (k, old) -> {
            if (old == null) {
                return new LocalTokenBucket(applied, time, share < 1.0);
            }
            old.reconfigure(applied);
            return old;
        });
    }

    @Override
    public Leases leases(String backend, int cap) {
        if (share >= 1.0) {
            return Leases.UNCAPPED;
        }
        int slots = Math.max(1, (int) Math.floor(cap * share));
        return leases.computeIfAbsent(backend + '|' + slots, k -> new LocalLeases(slots));
    }

    @Override
    public Streaks streaks() {
        return streaks;
    }

    @Override
    public Optional<SharedRecords> halts() {
        return Optional.empty();
    }

    @Override
    public String sidecarId() {
        return sidecarId;
    }

    @Override
    public boolean local() {
        return true;
    }

    @Override
    public boolean refusing() {
        return false;
    }

    @Override
    public Map<String, Object> status() {
        return Map.of("mode", "local");
    }

    @Override
    public void close() {
    }

    /** A fair semaphore of slots; a slot is returned when its call ends (this process cannot die and keep it). */
    private static final class LocalLeases implements Leases {
        private final Semaphore slots;

        LocalLeases(int slots) {
            this.slots = new Semaphore(slots, true);
        }

        @Override
        public Lease acquire(Duration maxWait, Instant expiresAt) throws InterruptedException {
            if (!slots.tryAcquire(Math.max(0, maxWait.toNanos()), TimeUnit.NANOSECONDS)) {
                return null;
            }
            AtomicBoolean closed = new AtomicBoolean();
            return () -> {
                if (closed.compareAndSet(false, true)) {
                    slots.release();
                }
            };
        }
    }

    /** Fault times per agent within the window; a success or reaching the threshold starts the streak again. */
    private static final class LocalStreaks implements Streaks {
        private final Clock clock;
        private final Map<String, Deque<Instant>> streaks = new ConcurrentHashMap<>();

        LocalStreaks(Clock clock) {
            this.clock = clock;
        }

        @Override
        public boolean local() {
            return true;
        }

        @Override
        public int fault(String agent, Duration window, int threshold) {
            Instant now = clock.instant();
            Deque<Instant> streak = streaks.computeIfAbsent(agent, a -> new ArrayDeque<>());
            synchronized (streak) {
                streak.addLast(now);
                while (!streak.isEmpty() && streak.peekFirst().isBefore(now.minus(window))) {
                    streak.removeFirst();
                }
                int length = streak.size();
                if (length >= threshold) {
                    streak.clear();
                }
                return length;
            }
        }

        @Override
        public void success(String agent) {
            streaks.remove(agent);
        }
    }
}
