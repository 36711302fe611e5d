package io.oldguard.demo;

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
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code oldguard demo}: embedded PostgreSQL, the legacy simulator and oldguard in one process, configured from
 * the shipped {@code sidecar.yaml} and {@code policies/}; makes a few calls through it, prints what happened,
 * and keeps serving so you can call it yourself ({@code --exit} stops after the calls).
 */
final class DemoCommand {

    private DemoCommand() {
    }

    static int run(Options options) {
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
        System.out.println("== oldguard demo: starting embedded PostgreSQL, the 2008 inventory service and oldguard");
        try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
            System.out.println("   embedded PostgreSQL on 127.0.0.1:" + db.port() + " (user postgres; it stops with the demo)");
            SimulatorSettings settings = SimulatorSettings.defaults(loaded.resolve(backend.getValue().wsdl()),
                    db.jdbcUrl(), "postgres", "").withPort(backend.getValue().endpoint().getPort());
            try (LegacyInventorySimulator simulator = LegacyInventorySimulator.start(settings)) {
                Map<String, String> env = new HashMap<>(System.getenv());
                Map<String, String> tokens = new HashMap<>();
                loaded.agents().forEach((id, agent) -> {
                    if (agent.tokenEnv() != null && env.get(agent.tokenEnv()) == null) {
                        String token = randomToken();
                        env.put(agent.tokenEnv(), token);
                        tokens.put(id, token);
                    }
                });
                String adminToken = loaded.admin().tokenEnv() == null ? null : env.get(loaded.admin().tokenEnv());
                if (loaded.admin().tokenEnv() != null && adminToken == null) {
                    adminToken = randomToken();
                    env.put(loaded.admin().tokenEnv(), adminToken);
                }
                // The demo's halts live in a temporary file: a demo must not leave halted agents behind.
                Path halts = Files.createTempDirectory("oldguard-demo").resolve("halts.json");
                SidecarConfig config = withEmbeddedDatabase(loaded, db.jdbcUrl())
                        .withHalts(new HaltsConfig(halts.toString(), loaded.halts().errorStreak()));
                try (Sidecar sidecar = Sidecar.start(config, configFile.toString(), env)) {
                    String base = "http://127.0.0.1:" + sidecar.agentPort();
                    new DemoCalls(base, "http://127.0.0.1:" + sidecar.adminPort(), tokens, adminToken, simulator).run();
                    if (!options.flag("exit")) {
                        printHowTo(base, sidecar.adminPort(), tokens, simulator.endpoint());
                        System.out.println("  admin token: " + adminToken);
                        // Never returns: the shutdown hook stops all three, in this order, and the JVM exits.
                        RunCommand.awaitShutdown(sidecar, simulator, db);
                    }
                }
            }
            return 0;
        } catch (io.oldguard.config.ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("oldguard demo failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
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

    private static void printHowTo(String base, int adminPort, Map<String, String> tokens, URI simulator) {
        String token = tokens.getOrDefault("support-bot", "$OLDGUARD_TOKEN_SUPPORT_BOT");
        System.out.println();
        System.out.println("== try it yourself (the demo keeps running; Ctrl-C stops it)");
        System.out.println("  export TOKEN=" + token + "    # support-bot");
        System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/tools");
        System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/tools?format=openai");
        System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\");
        System.out.println("       -d '{\"ItemID\": 42}' " + base + "/v1/tools/GetStock");
        System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: text/xml' --data-binary \\");
        System.out.println("       '<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetStockRequest"
                + " xmlns=\"http://legacy.example.com/inventory/2008\"><ItemID>42</ItemID></GetStockRequest></s:Body></s:Envelope>' \\");
        System.out.println("       " + base + simulator.getPath() + "    # the SOAP passthrough");
        System.out.println("  curl -s http://127.0.0.1:" + adminPort + "/metrics | grep oldguard_calls");
        tokens.forEach((agent, t) -> System.out.println("  token of " + agent + ": " + t));
        System.out.println("  legacy service (unprotected, for comparison): " + simulator + "?wsdl");
        System.out.println("  halted agents: OLDGUARD_ADMIN_TOKEN=<admin token> bin/oldguard agents list --admin-url http://127.0.0.1:" + adminPort);
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "demo-" + HexFormat.of().formatHex(bytes);
    }

    /** The scripted calls, each printed with the status and body oldguard answered. */
    private record DemoCalls(String base, String admin, Map<String, String> tokens, String adminToken,
            LegacyInventorySimulator simulator) {

        void run() throws IOException, InterruptedException {
            HttpClient http = HttpClient.newHttpClient();
            String support = tokens.get("support-bot");
            String order = tokens.get("order-bot");
            show(http, "support-bot lists its tools", get("/v1/tools", support), true);
            show(http, "support-bot checks stock of item 42", post("/v1/tools/GetStock", support, "{\"ItemID\": 42}"), false);
            show(http, "order-bot reserves 3 units of item 42", post("/v1/tools/ReserveStock", order,
                    "{\"ItemID\": 42, \"Quantity\": 3, \"OrderRef\": \"PO-004711\"}"), false);
            show(http, "order-bot asks for 45 units: the policy wants a human to approve that exact call first",
                    post("/v1/tools/ReserveStock", order, "{\"ItemID\": 42, \"Quantity\": 45, \"OrderRef\": \"PO-004711\"}"), false);
            show(http, "support-bot tries ReserveStock, which its policy does not grant", post("/v1/tools/ReserveStock", support,
                    "{\"ItemID\": 42, \"Quantity\": 3, \"OrderRef\": \"PO-004711\"}"), false);
            show(http, "support-bot runs the SQL tool low_stock (oldguard's own pool, typed parameters)",
                    post("/v1/tools/low_stock", support, "{\"category\": \"GARDEN\", \"below\": 40}"), true);
            show(http, "a caller without a known token", post("/v1/tools/GetStock", "not-a-valid-token-at-all", "{\"ItemID\": 42}"), false);
            show(http, "a body that is not JSON", post("/v1/tools/GetStock", support, "{ItemID: 42"), false);
            long before = simulator.requestsReceived();
            show(http, "THE INCIDENT: support-bot invents a string ItemID", post("/v1/tools/GetStock", support,
                    "{\"ItemID\": \"the-blue-widget-from-the-promo\"}"), false);
            show(http, "support-bot tries again, with a valid call", post("/v1/tools/GetStock", support, "{\"ItemID\": 42}"), false);
            show(http, "order-bot is not affected", post("/v1/tools/GetStock", order, "{\"ItemID\": 43}"), false);
            System.out.println();
            System.out.println("== requests that reached the legacy service since the incident call: "
                    + (simulator.requestsReceived() - before) + " (order-bot's only)");
            show(http, "an operator lists halted agents", HttpRequest.newBuilder(URI.create(admin + "/v1/agents/halted"))
                    .header("Authorization", "Bearer " + adminToken).GET().build(), true);
            show(http, "the operator releases support-bot", HttpRequest.newBuilder(URI.create(admin + "/v1/agents/support-bot/release"))
                    .header("Authorization", "Bearer " + adminToken).POST(HttpRequest.BodyPublishers.noBody()).build(), true);
            show(http, "support-bot calls validly again", post("/v1/tools/GetStock", support, "{\"ItemID\": 42}"), false);
            System.out.println();
            System.out.println("== the legacy service received " + simulator.requestsReceived() + " requests"
                    + " (GetStock " + simulator.requestsReceived("GetStock") + ", ReserveStock "
                    + simulator.requestsReceived("ReserveStock") + "); everything else was answered by oldguard");
        }

        private HttpRequest get(String path, String token) {
            return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).GET().build();
        }

        private HttpRequest post(String path, String token, String json) {
            return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        }

        private static void show(HttpClient http, String what, HttpRequest request, boolean abbreviate)
                throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            if (abbreviate && body.length() > 300) {
                body = body.substring(0, 300) + "… (" + body.length() + " bytes)";
            }
            System.out.println();
            System.out.println("-- " + what + ": " + request.method() + " " + request.uri().getPath());
            System.out.println("   " + response.statusCode() + " " + body);
        }
    }
}
