package io.oldguard.store;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.oldguard.config.Rate;

/** Bucket4j configuration from a {@link Rate}: capacity = burst, refilled greedily at the rate. */
final class Buckets {

    private Buckets() {
    }

    static BucketConfiguration configuration(Rate rate) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.amount(), rate.period()).build())
                .build();
    }

    /**
     * A fallback bucket starts empty: the fleet's bucket may just have spent its burst, so handing out another
     * one in every sidecar the moment Redis goes away would overshoot.
     */
    static BucketConfiguration startingEmpty(Rate rate) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.amount(), rate.period())
                        .initialTokens(0).build())
                .build();
    }
}
