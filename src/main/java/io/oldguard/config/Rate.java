package io.oldguard.config;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A readable rate: {@code 10/s}, {@code 600/min}, {@code 50/s burst 10}. The burst is the bucket's capacity —
 * how many tokens may be spent at once after a quiet spell; it defaults to one period's amount.
 */
public record Rate(long amount, Duration period, long burst) {

    public static final String EXPECTED = "a rate such as 10/s, 600/min or 50/s burst 10";
    private static final Pattern FORMAT = Pattern.compile(
            "(\\d{1,9})\\s*/\\s*(s|sec|second|m|min|minute|h|hour)(?:\\s+burst\\s+(\\d{1,9}))?");

    public Rate {
        Objects.requireNonNull(period, "period");
        if (amount < 1 || burst < 1) {
            throw new IllegalArgumentException("amount and burst must be at least 1 (got " + amount + ", " + burst + ")");
        }
    }

    public static Rate parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected " + EXPECTED + " (got \"" + text + "\")");
        }
        long amount = Long.parseLong(m.group(1));
        Duration period = switch (m.group(2)) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "m", "min", "minute" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        long burst = m.group(3) == null ? amount : Long.parseLong(m.group(3));
        if (amount < 1 || burst < 1) {
            throw new IllegalArgumentException("expected " + EXPECTED + " with amounts of at least 1 (got \"" + text + "\")");
        }
        return new Rate(amount, period, burst);
    }

    /**
     * A share of this rate, for one sidecar on its own while fleet mode's store is away. Rounded down so the
     * fleet can only under-shoot: 50/s burst 10 at 0.25 is 12.5/s burst 2 (refilled as 12,500 per 1,000 s).
     */
    public Rate share(double share) {
        long scaled = (long) Math.floor(amount * share * 1000);
        return new Rate(Math.max(1, scaled), period.multipliedBy(1000), Math.max(1, (long) Math.floor(burst * share)));
    }

    /** Tokens per second, for headers and messages. */
    public double perSecond() {
        return amount * 1_000_000_000.0 / period.toNanos();
    }

    @Override
    public String toString() {
        String unit = period.equals(Duration.ofSeconds(1)) ? "s" : period.equals(Duration.ofMinutes(1)) ? "min" : "h";
        return amount + "/" + unit + (burst == amount ? "" : " burst " + burst);
    }
}
