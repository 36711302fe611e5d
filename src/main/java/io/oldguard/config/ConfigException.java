package io.oldguard.config;

import java.util.List;

/**
 * Configuration or policy that cannot be used, with every problem found; each problem names the file,
 * the key and what was expected, so an operator can fix all of them in one edit.
 */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public static ConfigException of(String file, String key, String message) {
        return new ConfigException(List.of(problem(file, key, message)));
    }

    /** A problem whose line is not known (a file that cannot be read, a missing token). */
    public static String problem(String file, String key, String message) {
        return problem(file, 0, key, message);
    }

    /** The one place the "file:line: key: message" shape of a problem is written; line 0 is left out. */
    public static String problem(String file, int line, String key, String message) {
        String where = line > 0 ? file + ":" + line : file;
        return key == null || key.isEmpty() ? where + ": " + message : where + ": " + key + ": " + message;
    }

    public List<String> problems() {
        return problems;
    }
}
