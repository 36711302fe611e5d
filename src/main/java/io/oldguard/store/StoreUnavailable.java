package io.oldguard.store;

import java.time.Duration;

/**
 * The shared store cannot be reached and {@code cluster.fallback} is {@code refuse}: the call is answered 503
 * with {@link #retryAfter()} rather than run on limits this sidecar cannot check.
 */
public final class StoreUnavailable extends RuntimeException {

    private final transient Duration retryAfter;

    StoreUnavailable(String why, Duration retryAfter) {
        super(why, null, false, true);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
