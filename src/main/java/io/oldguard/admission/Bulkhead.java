package io.oldguard.admission;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code maxInFlight} calls at the backend at once (and so HTTP connections). A call beyond waits —
 * bounded in time and in the number of waiters — for a slot, then gives up.
 */
final class Bulkhead {

    private final int maxInFlight;
    // A reload may change it (backends.<name>.limits.maxQueue); maxInFlight needs a restart.
    private volatile int maxWaiting;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();

    Bulkhead(int maxInFlight, int maxWaiting) {
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
        this.slots = new Semaphore(maxInFlight, true);
    }

    /** How an attempt to enter ended: in, refused at once (too many already waiting), or waited in vain. */
    enum Entry { ENTERED, QUEUE_FULL, TIMED_OUT }

    /** A slot if one is free now; never waits. */
    boolean tryEnterNow() {
        return slots.tryAcquire();
    }

    Entry tryEnter(Duration maxWait) throws InterruptedException {
        if (slots.tryAcquire()) {
            return Entry.ENTERED;
        }
        if (maxWait.isZero() || maxWait.isNegative()) {
            return Entry.TIMED_OUT;
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            return Entry.QUEUE_FULL;
        }
        try {
            return slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS) ? Entry.ENTERED : Entry.TIMED_OUT;
        } finally {
            waiting.decrementAndGet();
        }
    }

    int maxWaiting() {
        return maxWaiting;
    }

    void maxWaiting(int edited) {
        maxWaiting = edited;
    }

    void exit() {
        slots.release();
    }

    int inFlight() {
        return maxInFlight - slots.availablePermits();
    }

    int maxInFlight() {
        return maxInFlight;
    }
}
