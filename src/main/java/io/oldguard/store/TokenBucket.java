package io.oldguard.store;

import io.github.bucket4j.ConsumptionProbe;
import java.util.concurrent.CompletableFuture;

/**
 * A token bucket as the guards and the shaper use it, wherever it lives: in this process, or in Redis shared by
 * the fleet. Every operation is bounded in time; one that cannot reach a shared store either answers from the
 * fallback or throws {@link StoreUnavailable}.
 */
public interface TokenBucket {

    /** Takes the tokens now if they are there; the probe tells what is left, or how long until they would be. */
    ConsumptionProbe tryConsume(long tokens);

    /**
     * {@link #tryConsume} started now and answered later, so that a call limited by two buckets waits for one
     * round trip to a shared store instead of two. A bucket in memory answers at once.
     */
    default CompletableFuture<ConsumptionProbe> tryConsumeAsync(long tokens) {
        try {
            return CompletableFuture.completedFuture(tryConsume(tokens));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Takes as many tokens as are there, up to {@code limit}, in one operation: how a backlog that the bucket
     * has refilled for meanwhile is served with one round trip instead of one per call.
     *
     * @return the tokens taken, 0 to {@code limit}
     */
    long tryConsumeUpTo(long limit);

    /** Gives back tokens taken for a call that then did not happen. */
    void refund(long tokens);
}
