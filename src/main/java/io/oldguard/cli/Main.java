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
              check      --replay CALLS.jsonl [--diff OLD NEW] [--config sidecar.yaml] [--format json]
                                                            recorded calls through the policies (or both folders);
                                                            exit 3 when NEW lets through a call OLD refused
              tools      [--config sidecar.yaml] [--agent ID] [--format openai]
                                                            print the generated tool schemas (those one agent is offered)
              agents     list|release|halt [--agent ID] [--reason TEXT] [--config sidecar.yaml] [--admin-url URL]
                                                            halted agents, through the admin API (token: admin.tokenEnv)
              approvals  list | approve ID [--by NAME] | deny ID [--reason TEXT] [--by NAME] [--config sidecar.yaml] [--admin-url URL]
                                                            calls held for a human's approval, through the admin API
              demo       [--config sidecar.yaml] [--agent-port 8080] [--admin-port 9901] [--simulator-port 8088] [--exit]
                                                            embedded PostgreSQL + legacy simulator + oldguard: a few calls,
                                                            the incident's storm with and without oldguard
              simulator  [--port 8088] [--workers 4] [--latency 0ms] [--wsdl wsdl/inventory.wsdl]
                         [--db-port 5432 | --jdbc-url URL [--db-user postgres] [--db-password P]] [--db-pool 10]
                                                            the legacy SOAP simulator alone (embedded PostgreSQL without --jdbc-url)
              version                                       print oldguard's version (also --version)

            log lines: OLDGUARD_LOG_FORMAT=json|text (default: text when stdout is a terminal, and in the demo; json
            otherwise, as in a pod), OLDGUARD_LOG_LEVEL (INFO)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args);
        stopLogging();
        System.exit(code);
    }

    /**
     * Writes out what the asynchronous appender still holds and stops logging. Logback's own shutdown hook is not
     * used: it would race the hook that closes the sidecar, and the closing lines would be lost.
     */
    public static void stopLogging() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.stop();
        }
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
        if (args[0].equals("version") || args[0].equals("--version")) {
            System.out.println("oldguard " + version());
            return 0;
        }
        try {
            LogFormat.resolve(LogFormat.asked(), false);
        } catch (IllegalArgumentException e) {
            // Refused before anything is logged: logback would otherwise fall back to JSON without a word.
            System.err.println("oldguard: " + e.getMessage());
            return 2;
        }
        if (!args[0].equals("run") && System.getProperty("OLDGUARD_LOG_TARGET") == null) {
            // Only a serving sidecar logs to stdout; the other commands keep stdout for what they print.
            System.setProperty("OLDGUARD_LOG_TARGET", "System.err");
        }
        if (args[0].equals("agents")) {
            if (args.length < 2 || args[1].startsWith("--")) {
                System.err.println("oldguard agents: which action? (expected: list, release or halt, before the options)");
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

    /** The jar's {@code Implementation-Version}; a build from the classes folder has none. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build, not from the jar)" : version;
    }

    /** The options each command reads; any other is refused, so a typo in a CI script fails instead of being ignored. */
    private static final java.util.Map<String, java.util.Set<String>> KNOWN = java.util.Map.of(
            "run", java.util.Set.of("config"),
            "check", java.util.Set.of("config", "db", "diff", "format", "replay"),
            "tools", java.util.Set.of("agent", "config", "format"),
            "demo", java.util.Set.of("admin-port", "agent-port", "config", "exit", "simulator-port"),
            "simulator", java.util.Set.of("db-password", "db-pool", "db-port", "db-user", "jdbc-url", "latency", "port",
                    "workers", "wsdl"),
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
