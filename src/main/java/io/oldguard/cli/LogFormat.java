package io.oldguard.cli;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;

/**
 * How oldguard writes its log lines: {@code json} (one JSON object per line, what log shippers read: the default
 * in a pod) or {@code text} (one short line per event for a person at a terminal, CRITICAL lines marked).
 *
 * <p>Asked for with the environment variable {@value #ENV} or the system property {@value #PROPERTY}; without
 * either, text when standard output is a terminal, JSON otherwise. The demo asks for text unless told otherwise.
 */
public enum LogFormat {
    JSON, TEXT;

    public static final String ENV = "OLDGUARD_LOG_FORMAT";
    public static final String PROPERTY = "oldguard.log.format";

    /**
     * The format asked for, or the default for where the lines go.
     *
     * @param asked    what {@value #ENV} or {@value #PROPERTY} says, or null
     * @param terminal whether standard output is a terminal
     * @throws IllegalArgumentException when {@code asked} is neither {@code json} nor {@code text}
     */
    static LogFormat resolve(String asked, boolean terminal) {
        if (asked == null || asked.isBlank()) {
            return terminal ? TEXT : JSON;
        }
        return switch (asked.trim().toLowerCase(Locale.ROOT)) {
            case "json" -> JSON;
            case "text" -> TEXT;
            default -> throw new IllegalArgumentException(ENV + "=" + asked + " (expected: json or text)");
        };
    }

    /** What this process was asked for: the environment variable first, then the system property. */
    public static String asked() {
        String env = System.getenv(ENV);
        return env != null && !env.isBlank() ? env : System.getProperty(PROPERTY);
    }

    /** The appender {@code logback.xml} routes lines to, named as the format is. */
    String appender() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Gives {@code logback.xml} the appender to use. A value that is neither format falls back to JSON here; the CLI
     * refuses it before anything is logged ({@link Main}).
     */
    public static final class Definer extends PropertyDefinerBase {
        @Override
        public String getPropertyValue() {
            try {
                return resolve(asked(), Terminal.stdoutIsTerminal()).appender();
            } catch (IllegalArgumentException e) {
                // Not a warning here: logback would print its whole start-up status; the CLI says what is wrong.
                addInfo(e.getMessage() + "; writing JSON");
                return JSON.appender();
            }
        }
    }
}
