package io.oldguard.store;

import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;

/**
 * A token bucket as the guards and the shaper use it, wherever it lives: in this process, or in Redis shared by
 * the fleet. Every operation is bounded in time; one that cannot reach a shared store either answers from the
 * fallback or throws {@link StoreUnavailable}.
 */
public interface TokenBucket {

    /** Takes the tokens now if they are there; the probe tells what is left, or how long until they would be. */
    ConsumptionProbe tryConsume(long tokens);

    /** Gives back tokens taken for a call that then did not happen. */
    void refund(long tokens);

    /**
     * Reserves tokens that will be there within {@code maxWait}, for a caller that then waits on its own thread.
     *
     * @return nanoseconds to wait for the reserved turn (0: now), or -1 when the turn is further away than maxWait
     */
    long reserve(long tokens, Duration maxWait);

    /** Nanoseconds until {@code tokens} could be taken, for a refusal's Retry-After. */
    long nanosUntil(long tokens);
}
