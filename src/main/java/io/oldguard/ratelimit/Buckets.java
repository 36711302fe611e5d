package io.oldguard.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.oldguard.config.Rate;

/** Builds a Bucket4j token bucket from a {@link Rate}: capacity = burst, refilled greedily at the rate. */
public final class Buckets {

    private Buckets() {
    }

    public static Bucket of(Rate rate, TimeMeter time) {
        return Bucket.builder().addLimit(limit(rate)).withCustomTimePrecision(time).build();
    }

    /** The same limit, to reconfigure a bucket that already exists. */
    public static BucketConfiguration configuration(Rate rate) {
        return BucketConfiguration.builder().addLimit(limit(rate)).build();
    }

    private static Bandwidth limit(Rate rate) {
        return Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.amount(), rate.period()).build();
    }
}
