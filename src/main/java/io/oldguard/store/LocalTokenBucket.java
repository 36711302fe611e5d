package io.oldguard.store;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.oldguard.config.Rate;
import java.time.Duration;

/** A Bucket4j bucket in this process's memory: lock-free, no I/O. */
final class LocalTokenBucket implements TokenBucket {

    private final Bucket bucket;
    private volatile Rate rate;

    LocalTokenBucket(Rate rate, TimeMeter time, boolean startEmpty) {
        this.bucket = Bucket.builder()
                .addLimit((startEmpty ? Buckets.startingEmpty(rate) : Buckets.configuration(rate)).getBandwidths()[0])
                .withCustomTimePrecision(time).build();
        this.rate = rate;
    }

    Rate rate() {
        return rate;
    }

    /**
     * The tokens left stay as they are (cut to the new burst if it is smaller), so tightening applies at once and
     * loosening only refills at the new rate. A call still pinned to the old policy may set the old rate back for a
     * moment; the tokens are kept either way, so that never hands out a fresh burst.
     */
    synchronized void reconfigure(Rate edited) {
        if (!edited.equals(rate)) {
            bucket.replaceConfiguration(Buckets.configuration(edited), TokensInheritanceStrategy.AS_IS);
            rate = edited;
        }
    }

    @Override
    public ConsumptionProbe tryConsume(long tokens) {
        return bucket.tryConsumeAndReturnRemaining(tokens);
    }

    @Override
    public void refund(long tokens) {
        bucket.addTokens(tokens);
    }

    @Override
    public long reserve(long tokens, Duration maxWait) {
        return reserve(bucket, tokens, maxWait);
    }

    @Override
    public long nanosUntil(long tokens) {
        return bucket.estimateAbilityToConsume(tokens).getNanosToWaitForRefill();
    }

    /** Bucket4j's blocking consume with a "blocking strategy" that only records the wait: the caller waits later. */
    static long reserve(Bucket bucket, long tokens, Duration maxWait) {
        if (maxWait.isZero() || maxWait.isNegative()) {
            return bucket.tryConsume(tokens) ? 0 : -1;
        }
        long[] wait = {0};
        try {
            boolean reserved = bucket.asBlocking().tryConsume(tokens, maxWait.toNanos(), nanos -> wait[0] = nanos);
            return reserved ? wait[0] : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
