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

    /**
     * A share of a fleet-wide rate, for one sidecar on its own while the store is away. Rounded down so the
     * fleet can only under-shoot: 50/s burst 10 at 0.25 is 12.5/s burst 2 (refilled as 12,500 per 1,000 s).
     */
    static Rate share(Rate rate, double share) {
        long scaled = (long) Math.floor(rate.amount() * share * 1000);
        return new Rate(Math.max(1, scaled), rate.period().multipliedBy(1000),
                Math.max(1, (long) Math.floor(rate.burst() * share)));
    }
}
