package io.oldguard.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the human durations used in configuration files: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    public static final String EXPECTED = "a duration such as 250ms, 5s, 2m or 1h";

    private Durations() {
    }

    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected " + EXPECTED + " (got \"" + text + "\")");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 && ms > 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
