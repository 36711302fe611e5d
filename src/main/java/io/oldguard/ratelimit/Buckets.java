package io.oldguard.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.oldguard.config.Rate;

/** Builds a Bucket4j token bucket from a {@link Rate}: capacity = burst, refilled greedily at the rate. */
public final class Buckets {

    private Buckets() {
    }

    public static Bucket of(Rate rate, TimeMeter time) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(rate.burst()).refillGreedy(rate.amount(), rate.period()))
                .withCustomTimePrecision(time)
                .build();
    }
}
