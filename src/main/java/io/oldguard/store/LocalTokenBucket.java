package io.oldguard.store;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.oldguard.config.Rate;

/**
 * A Bucket4j bucket in this process's memory: lock-free, no I/O.
 *
 * <p>A call may cost more than the bucket's burst only in a fallback share (fleet mode while Redis is away: 50/s
 * burst 10 at a quarter is burst 2, and a tool of cost 5 would never pass). The burst then grows to that call's
 * cost, at the same rate: the call passes once this sidecar has saved up its cost, and the long-run rate stays
 * the share.
 */
final class LocalTokenBucket implements TokenBucket {

    private final Bucket bucket;
    private volatile Rate rate;
    // The largest single charge seen: the burst in force is never below it.
    private long largestCharge;

    LocalTokenBucket(Rate rate, TimeMeter time, boolean startEmpty) {
        this.bucket = Bucket.builder()
                .addLimit((startEmpty ? Buckets.startingEmpty(rate) : Buckets.configuration(rate)).getBandwidths()[0])
                .withCustomTimePrecision(time).build();
        this.rate = rate;
    }

    /** The rate asked for (the burst in force may be larger, see the class comment). */
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
            bucket.replaceConfiguration(Buckets.configuration(inForce(edited)), TokensInheritanceStrategy.AS_IS);
            rate = edited;
        }
    }

    @Override
    public ConsumptionProbe tryConsume(long tokens) {
        if (tokens > rate.burst()) {
            fitCharge(tokens);
        }
        return bucket.tryConsumeAndReturnRemaining(tokens);
    }

    private synchronized void fitCharge(long tokens) {
        if (tokens > largestCharge) {
            largestCharge = tokens;
            bucket.replaceConfiguration(Buckets.configuration(inForce(rate)), TokensInheritanceStrategy.AS_IS);
        }
    }

    private Rate inForce(Rate asked) {
        return asked.burst() >= largestCharge ? asked : new Rate(asked.amount(), asked.period(), largestCharge);
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
