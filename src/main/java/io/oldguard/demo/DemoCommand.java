package io.oldguard.demo;

import ch.qos.logback.classic.Level;
import io.oldguard.Sidecar;
import io.oldguard.cli.Options;
import io.oldguard.cli.Ports;
import io.oldguard.cli.RunCommand;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.DatabaseConfig;
import io.oldguard.config.HaltsConfig;
import io.oldguard.config.Listener;
import io.oldguard.config.Listeners;
import io.oldguard.config.SidecarConfig;
import io.oldguard.config.SoapBackendConfig;
import io.oldguard.simulator.LegacyInventorySimulator;
import io.oldguard.simulator.SimulatorSettings;
import io.oldguard.cli.Terminal;
import io.oldguard.config.AgentConfig;
import io.oldguard.config.AuditConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * {@code oldguard demo}: embedded PostgreSQL, the legacy simulator and oldguard in one process, configured from
 * the shipped {@code sidecar.yaml} and {@code policies/}. It makes a few calls one at a time ({@link ScriptedCalls}),
 * replays the incident's storm with and without oldguard ({@link StormScene}), and keeps serving so you can call it
 * yourself ({@code --exit} stops after the storm).
 */
final class DemoCommand {

    private DemoCommand() {
    }

    static int run(Options options) {
        return run(options, System.out, service -> { });
    }

    /**
     * @param out     where the story is told
     * @param started told of each legacy service the demo starts (the protected one, then the storm's unprotected
     *                copy), so a test can read their counters
     */
    static int run(Options options, PrintStream out, Consumer<LegacyInventorySimulator> started) {
        if (LoggerFactory.getLogger("org.apache.cxf") instanceof ch.qos.logback.classic.Logger cxf) {
            // The service's own complaint when oldguard abandons a call it gave up on (a stack trace per call) is
            // not part of the story: oldguard's line for that call says it.
            cxf.setLevel(Level.ERROR);
        }
        Path configFile = Path.of(options.get("config", "sidecar.yaml"));
        SidecarConfig loaded;
        try {
            loaded = withPorts(ConfigLoader.load(configFile), options);
        } catch (io.oldguard.config.ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        } catch (IllegalArgumentException e) {
            System.err.println("oldguard demo: " + e.getMessage());
            return 2;
        }
        if (loaded.agents().containsKey(AgentCall.STORMING_AGENT)) {
            System.err.println("oldguard demo: the demo adds an agent " + AgentCall.STORMING_AGENT + " for its storm, and "
                    + configFile + " already has one (expected: no agent of that name)");
            return 1;
        }
        Map.Entry<String, SoapBackendConfig> backend = loaded.backends().entrySet().iterator().next();
        String clash = Stream.of(
                        Ports.inUse(backend.getValue().endpoint().getHost(), backend.getValue().endpoint().getPort(), "--simulator-port"),
                        Ports.inUse(loaded.listeners().agent().host(), loaded.listeners().agent().port(), "--agent-port"),
                        Ports.inUse(loaded.listeners().admin().host(), loaded.listeners().admin().port(), "--admin-port"))
                .filter(Objects::nonNull).findFirst().orElse(null);
        if (clash != null) {
            System.err.println("oldguard demo: " + clash);
            return 1;
        }
        out.println("== oldguard demo: starting an embedded PostgreSQL, the 2008 inventory service and oldguard in front of it");
        try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
            out.println("   embedded PostgreSQL on 127.0.0.1:" + db.port() + " (user postgres; it stops with the demo)");
            SimulatorSettings settings = serviceSettings(loaded.resolve(backend.getValue().wsdl()), db.jdbcUrl());
            try (LegacyInventorySimulator simulator = LegacyInventorySimulator.start(
                    settings.withPort(backend.getValue().endpoint().getPort()))) {
                warmUp(simulator);
                started.accept(simulator);
                out.println("   the inventory service on " + simulator.endpoint() + " (" + settings.workers()
                        + " worker threads, a pool of up to " + settings.dbPoolSize() + " database connections)");
                Path dir = Files.createTempDirectory("oldguard-demo");
                SidecarConfig config = forTheDemo(loaded, db.jdbcUrl(), dir);
                Map<String, String> env = new HashMap<>(System.getenv());
                Map<String, String> tokens = new TreeMap<>();
                Map<String, String> generated = new TreeMap<>();
                config.agents().forEach((id, agent) -> {
                    if (agent.tokenEnv() != null) {
                        String token = env.computeIfAbsent(agent.tokenEnv(), name -> {
                            String made = randomToken();
                            generated.put(id, made);
                            return made;
                        });
                        tokens.put(id, token);
                    }
                });
                String adminToken = config.admin().tokenEnv() == null ? null
                        : env.computeIfAbsent(config.admin().tokenEnv(), name -> randomToken());
                try (Sidecar sidecar = Sidecar.start(config, configFile.toString(), env)) {
                    String base = "http://127.0.0.1:" + sidecar.agentPort();
                    out.println("   oldguard: agents call " + base + ", operators " + "http://127.0.0.1:" + sidecar.adminPort()
                            + "; agents " + String.join(", ", tokens.keySet()));
                    new ScriptedCalls(out, base, "http://127.0.0.1:" + sidecar.adminPort(), tokens, adminToken, simulator)
                            .run();
                    try (Connection postgres = db.superuserConnection()) {
                        new StormScene(out, out == System.out && Terminal.stdoutIsTerminal()).play(
                                new Route.ThroughOldguard(base, tokens), simulator, EmbeddedDatabase.SERVICE_DATABASE,
                                unprotectedCopy(db, settings, started), postgres);
                    }
                    if (!options.flag("exit")) {
                        printHowTo(out, base, sidecar.adminPort(), generated, simulator.endpoint(), config.policies());
                        out.println("  admin token: " + adminToken);
                        // Never returns: the shutdown hook stops all three, in this order, and the JVM exits.
                        RunCommand.awaitShutdown(sidecar, simulator, db);
                    }
                }
            }
            return 0;
        } catch (io.oldguard.config.ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        } catch (IOException | SQLException | RuntimeException e) {
            System.err.println("oldguard demo failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * The legacy service as the demo runs it, twice: behind oldguard, and as the storm's unprotected copy. It has more
     * worker threads than database connections, so that a storm can take every connection of its pool, as the
     * incident's storm did (500 of 500).
     */
    /**
     * A service just started answers its first calls slowly (its code is not compiled yet, its pool is empty); on
     * a busy machine slower than the 2 s an agent's call may take. A few reads straight to it, unnarrated and
     * not counted, so the story's first call is not a timeout.
     */
    private static void warmUp(LegacyInventorySimulator simulator) {
        Route direct = new Route.StraightToService(simulator.endpoint());
        try (HttpClient client = HttpClient.newHttpClient()) {
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (int fast = 0, i = 1; fast < 3 && System.nanoTime() < until; i++) {
                long start = System.nanoTime();
                try {
                    client.send(direct.request(new AgentCall("warm-up", "GetStock", Map.of("ItemID", i))),
                            HttpResponse.BodyHandlers.discarding());
                    fast = System.nanoTime() - start < Duration.ofMillis(100).toNanos() ? fast + 1 : 0;
                } catch (IOException e) {
                    fast = 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        simulator.resetCounters();
    }

    private static SimulatorSettings serviceSettings(Path wsdl, String jdbcUrl) {
        return SimulatorSettings.defaults(wsdl, jdbcUrl, "postgres", "").withWorkers(16).withDbPoolSize(10);
    }

    /** A second service on a free port with a database of its own, seeded afresh, so its counters start at zero. */
    private static StormScene.UnprotectedService unprotectedCopy(EmbeddedDatabase db, SimulatorSettings settings,
            Consumer<LegacyInventorySimulator> started) {
        return () -> {
            String database = "inventory_unprotected";
            LegacyInventorySimulator copy = LegacyInventorySimulator.start(
                    settings.withJdbcUrl(db.createDatabase(database)).withPort(0));
            started.accept(copy);
            return new StormScene.UnprotectedService.Copy(copy, database);
        };
    }

    /**
     * The configuration the demo serves: every database is the embedded one, halts are kept in a temporary file (a
     * demo must not leave halted agents behind), and the storming agent is added, with a grant of GetStock in a copy
     * of the policy folder.
     */
    private static SidecarConfig forTheDemo(SidecarConfig loaded, String jdbcUrl, Path dir) throws IOException {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        try (Stream<Path> files = Files.list(loaded.resolve(loaded.policies()))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, policies.resolve(file.getFileName()));
            }
        }
        Files.writeString(policies.resolve("demo-storm.yaml"), """
                # Added by `oldguard demo` for its storm: the agent that storms, with the one tool it misuses.
                agents:
                  %s:
                    tools: [GetStock]
                """.formatted(AgentCall.STORMING_AGENT));
        Map<String, AgentConfig> agents = new LinkedHashMap<>(loaded.agents());
        agents.put(AgentCall.STORMING_AGENT, new AgentConfig("OLDGUARD_TOKEN_PROMO_BOT", null));
        return withEmbeddedDatabase(loaded, jdbcUrl)
                .withAgents(agents)
                .withPolicies(policies.toString())
                .withHalts(new HaltsConfig(dir.resolve("halts.json").toString(), loaded.halts().errorStreak()))
                // The story shows oldguard's line for each call it tells, allowed ones too (a pod samples them).
                .withAudit(new AuditConfig("all", null));
    }

    /** {@code --agent-port}, {@code --admin-port} and {@code --simulator-port} over what {@code sidecar.yaml} says. */
    private static SidecarConfig withPorts(SidecarConfig config, Options options) {
        SidecarConfig result = config;
        Listener agent = config.listeners().agent();
        Listener admin = config.listeners().admin();
        int agentPort = port(options, "agent-port", agent.port());
        int adminPort = port(options, "admin-port", admin.port());
        if (agentPort != agent.port() || adminPort != admin.port()) {
            result = result.withListeners(new Listeners(new Listener(agent.host(), agentPort), new Listener(admin.host(), adminPort)));
        }
        Map.Entry<String, SoapBackendConfig> backend = config.backends().entrySet().iterator().next();
        URI endpoint = backend.getValue().endpoint();
        int simulatorPort = port(options, "simulator-port", endpoint.getPort());
        if (simulatorPort != endpoint.getPort()) {
            URI moved = URI.create(endpoint.getScheme() + "://" + endpoint.getHost() + ":" + simulatorPort + endpoint.getPath());
            Map<String, SoapBackendConfig> backends = new LinkedHashMap<>(config.backends());
            backends.put(backend.getKey(), backend.getValue().withEndpoint(moved));
            result = result.withBackends(backends);
        }
        return result;
    }

    private static int port(Options options, String name, int fallback) {
        String value = options.get(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // Reported below with the expected range.
        }
        throw new IllegalArgumentException("--" + name + " " + value + " (expected: a port number, 1 to 65535)");
    }

    /** Every configured database becomes the embedded one, where the simulator keeps the {@code inv} table. */
    private static SidecarConfig withEmbeddedDatabase(SidecarConfig config, String jdbcUrl) {
        Map<String, DatabaseConfig> databases = new HashMap<>();
        config.databases().forEach((name, d) -> databases.put(name, new DatabaseConfig(jdbcUrl, "postgres", null, null,
                d.maxPoolSize(), d.connectionTimeout(), d.statementTimeout(), d.lockTimeout(), d.idleInTransactionTimeout(),
                d.breaker())));
        return config.withDatabases(databases);
    }

    private static void printHowTo(PrintStream out, String base, int adminPort, Map<String, String> tokens, URI simulator,
            String policies) {
        String token = tokens.getOrDefault("support-bot", "$OLDGUARD_TOKEN_SUPPORT_BOT");
        out.println();
        out.println("== try it yourself (the demo keeps running; Ctrl-C stops it)");
        out.println("  export TOKEN=" + token + "    # support-bot");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/tools");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/tools?format=openai");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"ItemID\": 42}' " + base + "/v1/tools/GetStock");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: text/xml' --data-binary \\");
        out.println("       '<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetStockRequest"
                + " xmlns=\"http://legacy.example.com/inventory/2008\"><ItemID>42</ItemID></GetStockRequest></s:Body></s:Envelope>' \\");
        out.println("       " + base + simulator.getPath() + "    # the SOAP passthrough");
        out.println("  curl -s http://127.0.0.1:" + adminPort + "/metrics | grep oldguard_calls");
        tokens.forEach((agent, t) -> out.println("  token of " + agent + ": " + t));
        out.println("  legacy service (unprotected, for comparison): " + simulator + "?wsdl");
        out.println("  halted agents: OLDGUARD_ADMIN_TOKEN=<admin token> bin/oldguard agents list --admin-url http://127.0.0.1:" + adminPort);
        out.println("  the demo's policies (a copy, with " + AgentCall.STORMING_AGENT + " added; edits apply live): " + policies);
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "demo-" + HexFormat.of().formatHex(bytes);
    }
}
