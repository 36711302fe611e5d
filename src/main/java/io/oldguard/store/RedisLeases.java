package io.oldguard.store;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fleet's in-flight cap of one backend: a sorted set of lease ids scored by when each runs out, in Redis
 * time. Taking one first drops the run-out ones, so a dead sidecar's slots come back by themselves. A caller
 * that finds no free slot polls, backing off from 2 to 20 ms, until its wait bound.
 */
final class RedisLeases implements Leases {

    // KEYS[1] the set; ARGV: cap, lease time (ms), lease id. Redis's clock, so sidecars' clocks need not agree.
    private static final String ACQUIRE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
              redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
              redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
              return 1
            end
            return 0
            """;
    private static final String RELEASE = "return redis.call('ZREM', KEYS[1], ARGV[1])";

    private final RedisState state;
    private final String redisKey;
    private final String backend;
    private final int cap;
    private final String sidecarId;
    // Lease ids are this process's: two sidecars given the same cluster.id by mistake (or one restarted under the
    // same pod name while its old leases run out) must not take each other's slots as their own.
    private final String instance = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();

    RedisLeases(RedisState state, String redisKey, String backend, int cap, String sidecarId) {
        this.state = state;
        this.redisKey = redisKey;
        this.backend = backend;
        this.cap = cap;
        this.sidecarId = sidecarId;
    }

    int held() {
        return held.get();
    }

    @Override
    public Lease acquire(Duration maxWait, Instant expiresAt) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        long backoffMillis = 2;
        while (true) {
            String id = sidecarId + ':' + instance + ':' + ids.incrementAndGet();
            long ttl = Math.max(1000, Duration.between(Instant.now(), expiresAt).toMillis());
            Long taken;
            try {
                taken = state.eval("lease", ACQUIRE, new String[] {redisKey}, Integer.toString(cap), Long.toString(ttl), id);
            } catch (RuntimeException e) {
                // The script may have run and its answer been lost (a timeout, or the call cancelled meanwhile):
                // whatever it took is given back rather than left to run out.
                state.evalLater(RELEASE, new String[] {redisKey}, id);
                if (StoreHealth.interrupted(e)) {
                    throw new InterruptedException("cancelled while taking a fleet slot");
                }
                if (state.refuseWhenAway()) {
                    throw state.unavailable();
                }
                return state.fallback().leases(backend, cap).acquire(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                        expiresAt);
            }
            if (taken != null && taken == 1) {
                held.incrementAndGet();
                return new RedisLease(id);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Thread.sleep(Duration.ofNanos(Math.min(left, backoffMillis * 1_000_000)));
            backoffMillis = Math.min(20, backoffMillis * 2);
        }
    }

    /** Gives its slot back once, without waiting; if Redis cannot be told, the lease runs out by itself. */
    private final class RedisLease implements Lease {
        private final String id;
        private final AtomicBoolean closed = new AtomicBoolean();

        RedisLease(String id) {
            this.id = id;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            held.decrementAndGet();
            // Not awaited: the call's answer must not wait on Redis. Lost, the lease runs out at its deadline.
            state.evalLater(RELEASE, new String[] {redisKey}, id);
        }
    }
}
