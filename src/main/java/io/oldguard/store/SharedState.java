package io.oldguard.store;

import io.oldguard.config.Rate;
import java.util.Map;
import java.util.Optional;

/**
 * The one seam beneath rate limiting, admission and halts: where token buckets, in-flight leases, error streaks
 * and halts live. {@link LocalState} keeps them in this process (the embedded default); {@link RedisState}
 * shares them with every sidecar pointing at the same Redis (fleet mode, {@code cluster:} in sidecar.yaml).
 * Guards and backends ask this for what they need and never learn which of the two they have.
 */
public interface SharedState extends AutoCloseable {

    /**
     * The bucket for {@code key}, limited to {@code rate}. Asking again with an edited rate reconfigures the same
     * bucket and keeps its tokens (cut to a smaller burst), so an edit never hands out a fresh burst.
     */
    TokenBucket bucket(String key, Rate rate);

    /** The cap of {@code cap} calls in flight to one backend across the fleet; uncapped for a sidecar alone. */
    Leases leases(String backend, int cap);

    Streaks streaks();

    /** Halts shared with the fleet; empty for a sidecar alone. */
    Optional<SharedRecords> halts();

    /** This sidecar's name in the fleet. */
    String sidecarId();

    /**
     * Whether every answer comes from this process's memory, never a round trip to a store: then a guard may ask
     * it on an event loop. False in fleet mode.
     */
    boolean local();

    /** True while every call that needs the store is refused: Redis is away and {@code cluster.fallback} is refuse. */
    boolean refusing();

    /** For {@code /readyz} and the admin API: mode, whether the store answers, and the fallback in force. */
    Map<String, Object> status();

    @Override
    void close();
}
