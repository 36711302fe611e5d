package io.oldguard.store;

import java.time.Duration;
import java.time.Instant;

/**
 * The calls in flight to one backend across the fleet, as leases that expire: a sidecar that dies holding
 * some gives them back when they run out, never later than {@code expiresAt}.
 */
public interface Leases {

    /** No cap beyond the pod's own bulkhead: what a sidecar alone uses. */
    Leases UNCAPPED = (maxWait, expiresAt) -> Lease.NONE;

    /**
     * Waits at most {@code maxWait} for a free slot.
     *
     * @param expiresAt when the slot comes back by itself if it is never returned (the call's deadline and a margin)
     * @return the lease to close when the call is over, or null if no slot came free in time
     */
    Lease acquire(Duration maxWait, Instant expiresAt) throws InterruptedException;

    /**
     * A free slot now, or null; never waits. Only for a store that answers from memory ({@link SharedState#local}).
     */
    default Lease tryNow(Instant expiresAt) {
        try {
            return acquire(Duration.ZERO, expiresAt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A held slot; closing it gives it back (at most once). */
    interface Lease extends AutoCloseable {

        Lease NONE = () -> { };

        @Override
        void close();
    }
}
