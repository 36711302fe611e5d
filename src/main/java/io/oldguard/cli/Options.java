package io.oldguard.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value}, {@code --flag} and {@code --diff OLD NEW} options of a sub-command; unknown names are
 * refused by the caller.
 */
public record Options(Map<String, List<String>> values, Set<String> flags) {

    private static final Set<String> FLAGS = Set.of("exit", "db");
    /** Options that take more than one value. */
    private static final Map<String, Integer> ARITY = Map.of("diff", 2);

    static Options parse(List<String> args) {
        Map<String, List<String>> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument \"" + arg + "\"");
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            int arity = ARITY.getOrDefault(name, 1);
            if (eq > 0) {
                values.put(name.substring(0, eq), List.of(name.substring(eq + 1)));
            } else if (FLAGS.contains(name)) {
                flags.add(name);
            } else if (i + arity < args.size()) {
                List<String> taken = new ArrayList<>(args.subList(i + 1, i + 1 + arity));
                values.put(name, List.copyOf(taken));
                i += arity;
            } else {
                throw new IllegalArgumentException("option --" + name + " needs " + (arity == 1 ? "a value" : arity + " values"));
            }
        }
        return new Options(Map.copyOf(values), Set.copyOf(flags));
    }

    /** @throws IllegalArgumentException naming the first option that is not one of {@code known} */
    void refuseOtherThan(Set<String> known) {
        for (String name : new java.util.TreeSet<>(union(values.keySet(), flags))) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (expected one of: --"
                        + String.join(", --", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    public String get(String name, String fallback) {
        List<String> given = values.get(name);
        return given == null ? fallback : given.get(0);
    }

    /** Every value of a multi-valued option; empty when it was not given. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }
}
