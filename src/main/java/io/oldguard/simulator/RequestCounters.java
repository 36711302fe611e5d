package io.oldguard.simulator;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe tally of requests that reached the simulator, in total and per operation. */
final class RequestCounters {

    private final LongAdder total = new LongAdder();
    private final Map<String, LongAdder> perOperation = new ConcurrentHashMap<>();

    /** Records one arrival; an empty operation (unparseable request) counts in the total only. */
    void record(Optional<String> operation) {
        total.increment();
        operation.ifPresent(name -> perOperation.computeIfAbsent(name, key -> new LongAdder()).increment());
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
        perOperation.clear();
    }
}
