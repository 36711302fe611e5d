package io.oldguard.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One problem split into file, line, key and message, for machine-readable output. The inverse of
 * {@link ConfigException#problem(String, int, String, String)}, which is where the text shape is decided.
 *
 * @param line 0 when not known
 * @param key  empty when the problem is about the whole file
 */
public record Problem(String file, int line, String key, String message) {

    // file[:line]: [key: ]message — a key is one word of no spaces (dotted path, [index]).
    private static final Pattern SHAPE = Pattern.compile("(.+?)(?::(\\d+))?: (?:([^\\s:]+): )?(.*)", Pattern.DOTALL);

    public static Problem parse(String problem) {
        Matcher m = SHAPE.matcher(problem);
        if (!m.matches()) {
            return new Problem("", 0, "", problem);
        }
        return new Problem(m.group(1), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? "" : m.group(3), m.group(4));
    }
}
