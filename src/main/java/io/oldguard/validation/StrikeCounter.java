package io.oldguard.validation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counts one agent's violations of one tool within a sliding window, for policies with {@code strikes}. */
final class StrikeCounter {

    private final Clock clock;
    private final Map<String, Deque<Instant>> strikes = new ConcurrentHashMap<>();

    StrikeCounter(Clock clock) {
        this.clock = clock;
    }

    /** Records a violation now and returns how many fall within the window, this one included. */
    int record(String agent, String tool, Duration window) {
        Instant now = clock.instant();
        Deque<Instant> times = strikes.computeIfAbsent(agent + '\u0000' + tool, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(window))) {
                times.removeFirst();
            }
            return times.size();
        }
    }

    void forget(String agent, String tool) {
        strikes.remove(agent + '\u0000' + tool);
    }
}
