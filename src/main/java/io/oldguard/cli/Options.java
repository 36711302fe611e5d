package io.oldguard.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} options of a sub-command; unknown names are refused by the caller. */
record Options(Map<String, String> values, Set<String> flags) {

    private static final Set<String> FLAGS = Set.of("exit", "db");

    static Options parse(List<String> args) {
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument \"" + arg + "\"");
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (FLAGS.contains(name)) {
                flags.add(name);
            } else if (i + 1 < args.size()) {
                values.put(name, args.get(++i));
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
        }
        return new Options(Map.copyOf(values), Set.copyOf(flags));
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }
}
