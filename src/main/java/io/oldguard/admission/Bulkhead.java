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
    private final int maxWaiting;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();

    Bulkhead(int maxInFlight, int maxWaiting) {
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
        this.slots = new Semaphore(maxInFlight, true);
    }

    boolean tryEnter(Duration maxWait) throws InterruptedException {
        if (slots.tryAcquire()) {
            return true;
        }
        if (maxWait.isZero() || maxWait.isNegative()) {
            return false;
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            return slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            waiting.decrementAndGet();
        }
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
