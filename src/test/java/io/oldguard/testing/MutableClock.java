package io.oldguard.testing;

import io.oldguard.replay.ReplayClock;
import java.time.Duration;
import java.time.Instant;

/**
 * A clock tests move by hand, so windows, buckets and cool-offs are tested without sleeping: the replay's clock,
 * moved by a duration. It is also a Bucket4j {@code TimeMeter}, so buckets and the breaker read the same fake time.
 */
public final class MutableClock extends ReplayClock {

    public MutableClock(Instant start) {
        super(start);
    }

    public void advance(Duration d) {
        moveTo(instant().plus(d));
    }
}
