package io.oldguard.replay;

import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulated time of a replay: set to each recorded call's time, so buckets refill, strikes and streaks fall
 * out of their windows and cool-offs end as they did live. The replay goes through calls in the order received, so
 * time only moves forward; it is kept from going back all the same, because buckets assume it never does. Also the
 * buckets' {@link TimeMeter}.
 */
final class ReplayClock extends Clock implements TimeMeter {

    private Instant now;

    ReplayClock(Instant start) {
        this.now = start;
    }

    void moveTo(Instant at) {
        if (at.isAfter(now)) {
            now = at;
        }
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public long currentTimeNanos() {
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
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
