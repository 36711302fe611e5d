package io.oldguard.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How oldguard shapes traffic to one backend, all agents together: a leaky bucket ({@code rate}) that makes
 * bursts wait their turn instead of passing them on, and the bounds on that wait. The same bounds apply to a
 * call waiting for a free connection.
 *
 * @param rate             calls per period to the backend; null: no shaping, only the connection cap
 * @param maxWait          longest a call waits for its turn or a connection; past it, 503
 * @param maxQueue         calls waiting at most; one more gets 503 at once
 * @param maxQueuePerAgent waiting calls of one agent at most, so one agent's storm cannot fill the queue
 */
public record BackendLimits(Rate rate, @NotNull Duration maxWait, @NotNull @Min(1) Integer maxQueue,
        @NotNull @Min(1) Integer maxQueuePerAgent) {

    public BackendLimits {
        maxWait = maxWait == null ? Duration.ofSeconds(1) : maxWait;
        maxQueue = maxQueue == null ? Integer.valueOf(64) : maxQueue;
        maxQueuePerAgent = maxQueuePerAgent == null ? Integer.valueOf(Math.max(1, maxQueue / 4)) : maxQueuePerAgent;
    }

    public static BackendLimits defaults() {
        return new BackendLimits(null, null, null, null);
    }
}
