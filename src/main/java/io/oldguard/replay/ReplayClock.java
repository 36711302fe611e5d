package io.oldguard.replay;

import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Time that is moved, not read from the machine: a replay sets it to each recorded call's time, so buckets refill,
 * strikes and streaks fall out of their windows and cool-offs end as they did live (tests move it by hand the same
 * way). It only moves forward, because buckets assume time never goes back. Also the buckets' {@link TimeMeter},
 * so buckets and windows read the same time.
 */
public class ReplayClock extends Clock implements TimeMeter {

    private volatile Instant now;

    public ReplayClock(Instant start) {
        this.now = start;
    }

    /** Moves to {@code at}, unless that is in the past. */
    public void moveTo(Instant at) {
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
