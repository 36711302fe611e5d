package io.oldguard.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.oldguard.config.Rate;

/**
 * One agent's bucket and the rate it is configured with. A policy reload that changes the rate reconfigures the
 * same bucket instead of starting a full new one: an agent that had spent its burst must not get it back just
 * because an operator edited its limit.
 */
record LimitBucket(Bucket bucket, Rate rate) {

    /**
     * The tokens left stay as they are (cut to the new burst if it is smaller), so tightening applies at once and
     * loosening only refills at the new rate. A call still pinned to the old policy may set the old rate back for a
     * moment; the tokens are kept either way, so that never hands out a fresh burst.
     */
    LimitBucket reconfigured(Rate newRate) {
        bucket.replaceConfiguration(Buckets.configuration(newRate), TokensInheritanceStrategy.AS_IS);
        return new LimitBucket(bucket, newRate);
    }
}
