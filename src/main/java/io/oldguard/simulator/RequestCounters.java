package io.oldguard.simulator;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe tally of requests that reached the simulator, in total and per operation. */
final class RequestCounters {

    private final LongAdder total = new LongAdder();
    private final LongAdder faults = new LongAdder();
    private final Map<String, LongAdder> perOperation = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final AtomicLong firstArrival = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastArrival = new AtomicLong(Long.MIN_VALUE);

    /** A request is being worked on (from the worker taking it to its answer). */
    void enter() {
        long at = System.nanoTime();
        firstArrival.accumulateAndGet(at, Math::min);
        lastArrival.accumulateAndGet(at, Math::max);
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    int peakInFlight() {
        return peakInFlight.get();
    }

    /** Nanoseconds from the first request worked on to the last one (0 with fewer than two). */
    long arrivalSpanNanos() {
        long first = firstArrival.get();
        long last = lastArrival.get();
        return last > first ? last - first : 0;
    }

    /** Records one arrival; an empty operation (unparseable request) counts in the total only. */
    void record(Optional<String> operation) {
        total.increment();
        operation.ifPresent(name -> perOperation.computeIfAbsent(name, key -> new LongAdder()).increment());
    }

    /** A request was answered with a SOAP fault (a database error passed back, an unknown item, ...). */
    void fault() {
        faults.increment();
    }

    long faults() {
        return faults.sum();
    }

    long total() {
        return total.sum();
    }

    long of(String operation) {
        LongAdder adder = perOperation.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    void reset() {
        total.reset();
        faults.reset();
        perOperation.clear();
        peakInFlight.set(inFlight.get());
        firstArrival.set(Long.MAX_VALUE);
        lastArrival.set(Long.MIN_VALUE);
    }
}
