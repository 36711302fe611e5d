package io.oldguard.testing;

import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand, so windows, buckets and cool-offs are tested without sleeping. It is also a
 * Bucket4j {@link TimeMeter}, so buckets and the breaker read the same fake time.
 */
public final class MutableClock extends Clock implements TimeMeter {

    private volatile Instant now;

    public MutableClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public long currentTimeNanos() {
        Instant n = now;
        return n.getEpochSecond() * 1_000_000_000L + n.getNano();
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
