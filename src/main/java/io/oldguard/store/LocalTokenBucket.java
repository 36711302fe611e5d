package io.oldguard.store;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.oldguard.config.Rate;

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
    public long tryConsumeUpTo(long limit) {
        return bucket.tryConsumeAsMuchAsPossible(limit);
    }

    @Override
    public void refund(long tokens) {
        bucket.addTokens(tokens);
    }
}
