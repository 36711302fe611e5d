package io.oldguard.demo;

import java.util.List;
import java.util.Locale;

/** The storm's outcome with oldguard beside the same storm straight at the service, as the demo prints it. */
final class ContainmentTable {

    static final String RECEIVED = "requests that reached the service";
    static final String INVALID = "invalid calls that reached the service";
    static final String BEFORE_HALT = "calls before the halt";
    static final String PEAK_RATE = "peak service rate";
    static final String PEAK_CONNECTIONS = "peak database connections";
    static final String OTHERS = "other agents' success rate";

    private ContainmentTable() {
    }

    static List<String> lines(ArmFigures with, ArmFigures without) {
        String format = "  %-40s %-24s %s";
        return List.of(
                String.format(Locale.ROOT, format, "", "with oldguard", "without oldguard"),
                String.format(Locale.ROOT, format, "", seconds(with) + " s", seconds(without) + " s, straight at the service"),
                String.format(Locale.ROOT, format, RECEIVED, count(with.received()), count(without.received())),
                String.format(Locale.ROOT, format, INVALID, count(with.invalidReached()), count(without.invalidReached())),
                String.format(Locale.ROOT, format, BEFORE_HALT, beforeHalt(with), beforeHalt(without)),
                String.format(Locale.ROOT, format, PEAK_RATE, count(with.peakServiceRate()) + "/s",
                        count(without.peakServiceRate()) + "/s"),
                String.format(Locale.ROOT, format, PEAK_CONNECTIONS, with.peakConnections(), without.peakConnections()),
                String.format(Locale.ROOT, format, OTHERS, successRate(with), successRate(without)));
    }

    private static long seconds(ArmFigures arm) {
        return arm.length().toSeconds();
    }

    private static String beforeHalt(ArmFigures arm) {
        return arm.halted() ? count(arm.stormNotHalted()) : "never halted: " + count(arm.stormCalls()) + " calls";
    }

    private static String successRate(ArmFigures arm) {
        if (arm.othersSent() == 0) {
            return "no calls";
        }
        // Rounded down: 100 % means every call succeeded.
        return String.format(Locale.ROOT, "%d %% (%s of %s)", 100 * arm.othersSucceeded() / arm.othersSent(),
                count(arm.othersSucceeded()), count(arm.othersSent()));
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
