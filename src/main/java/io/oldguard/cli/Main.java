package io.oldguard.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/** The {@code oldguard} command: dispatches to one sub-command and turns its result into an exit code. */
public final class Main {

    static final String USAGE = """
            usage: oldguard <command> [options]

              run        [--config sidecar.yaml]            serve agents (agent port) and operators (admin port)
              check      [--config sidecar.yaml] [--db] [--format json]
                                                            validate config, WSDL and policies; exit 1 on any problem
              check      --diff OLD NEW [--config sidecar.yaml] [--format json]
                                                            what changing policy folder OLD into NEW does
              tools      [--config sidecar.yaml] [--format openai]
                                                            print the generated tool schemas
              agents     list|release|halt [--agent ID] [--reason TEXT] [--config sidecar.yaml] [--admin-url URL]
                                                            halted agents, through the admin API (token: admin.tokenEnv)
              approvals  list | approve ID [--by NAME] | deny ID [--reason TEXT] [--by NAME] [--config sidecar.yaml] [--admin-url URL]
                                                            calls held for a human's approval, through the admin API
              demo       [--exit]                           embedded PostgreSQL + legacy simulator + oldguard, a few calls
              simulator  [--port 8088] [--jdbc-url URL --db-user U --db-password P] [--latency 0ms] [--workers 4]
                                                            the legacy SOAP simulator alone (embedded PostgreSQL without --jdbc-url)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, Map.of());
    }

    /**
     * Runs one command; {@code more} adds commands the sidecar's own jar does not carry (the demo distribution adds
     * {@code demo} and {@code simulator}, see {@code io.oldguard.demo.DemoMain}).
     */
    public static int run(String[] args, Map<String, ToIntFunction<Options>> more) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (!args[0].equals("run") && System.getProperty("OLDGUARD_LOG_TARGET") == null) {
            // Only a serving sidecar logs to stdout; the other commands keep stdout for what they print.
            System.setProperty("OLDGUARD_LOG_TARGET", "System.err");
        }
        if (args[0].equals("agents")) {
            if (args.length < 2) {
                System.err.print(USAGE);
                return 2;
            }
            return withOptions(args, 2, options -> AgentsCommand.run(args[1], options));
        }
        if (args[0].equals("approvals")) {
            boolean decides = args.length >= 3 && (args[1].equals("approve") || args[1].equals("deny"));
            if (args.length < 2 || (!args[1].equals("list") && !decides)) {
                System.err.print(USAGE);
                return 2;
            }
            return withOptions(args, decides ? 3 : 2, options -> ApprovalsCommand.run(args[1], decides ? args[2] : null, options));
        }
        return withOptions(args, 1, options -> switch (args[0]) {
            case "run" -> RunCommand.run(options);
            case "check" -> CheckCommand.run(options);
            case "tools" -> ToolsCommand.run(options);
            default -> {
                if (more.containsKey(args[0])) {
                    yield more.get(args[0]).applyAsInt(options);
                }
                if (KNOWN.containsKey(args[0])) {
                    // The container image carries the sidecar only: no simulator, no embedded PostgreSQL.
                    System.err.println("oldguard " + args[0] + ": not part of this distribution (the sidecar image holds"
                            + " the sidecar only); run it from a checkout: bin/oldguard " + args[0]);
                    yield 2;
                }
                System.err.println("oldguard: unknown command \"" + args[0] + "\"");
                System.err.print(USAGE);
                yield 2;
            }
        });
    }

    /** The options each command reads; any other is refused, so a typo in a CI script fails instead of being ignored. */
    private static final java.util.Map<String, java.util.Set<String>> KNOWN = java.util.Map.of(
            "run", java.util.Set.of("config"),
            "check", java.util.Set.of("config", "db", "diff", "format"),
            "tools", java.util.Set.of("config", "format"),
            "demo", java.util.Set.of("config", "exit"),
            "simulator", java.util.Set.of("db-password", "db-pool", "db-user", "jdbc-url", "latency", "port", "workers", "wsdl"),
            "agents", java.util.Set.of("admin-url", "agent", "config", "reason"),
            "approvals", java.util.Set.of("admin-url", "by", "config", "reason"));

    private static int withOptions(String[] args, int from, java.util.function.ToIntFunction<Options> command) {
        List<String> rest = Arrays.asList(args).subList(from, args.length);
        Options options;
        try {
            options = Options.parse(rest);
            options.refuseOtherThan(KNOWN.getOrDefault(args[0], java.util.Set.of()));
        } catch (IllegalArgumentException e) {
            System.err.println("oldguard " + args[0] + ": " + e.getMessage());
            System.err.print(USAGE);
            return 2;
        }
        return command.applyAsInt(options);
    }
}
