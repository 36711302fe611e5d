package io.oldguard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One real oldguard process of a fleet ({@code oldguard run} in a child JVM, on the test's classpath), with its own
 * sidecar.yaml, ports and halts file, fronting a given SOAP endpoint and sharing the given Redis.
 */
public final class FleetSidecar implements AutoCloseable {

    public static final String AUDIT_TOKEN = "audit-bot-test-token-0123456789";

    private final String id;
    private final Path dir;
    private final int agentPort;
    private final int adminPort;
    private Process process;

    private FleetSidecar(String id, Path dir, int agentPort, int adminPort) {
        this.id = id;
        this.dir = dir;
        this.agentPort = agentPort;
        this.adminPort = adminPort;
    }

    /**
     * @param cluster the {@code cluster:} section's lines (indented by two), e.g. redis and keyPrefix
     * @param limits  the inventory backend's {@code limits:} and {@code maxConnections}, as YAML lines (indented by four)
     */
    public static FleetSidecar start(String id, Path root, URI endpoint, Path policies, String backend, String cluster) {
        try {
            Path dir = Files.createDirectories(root.resolve(id));
            FleetSidecar sidecar = new FleetSidecar(id, dir, freePort(), freePort());
            Files.writeString(dir.resolve("sidecar.yaml"), """
                    listeners:
                      agent: { host: 127.0.0.1, port: %d }
                      admin: { host: 127.0.0.1, port: %d }
                    agents:
                      support-bot: { tokenEnv: OLDGUARD_TOKEN_SUPPORT_BOT }
                      order-bot: { tokenEnv: OLDGUARD_TOKEN_ORDER_BOT }
                      audit-bot: { tokenEnv: OLDGUARD_TOKEN_AUDIT_BOT }
                    backends:
                      inventory:
                        wsdl: %s
                        endpoint: %s
                        timeout: 5s
                        connectTimeout: 1s
                    %s
                    policies: %s
                    policyWatch: 0ms
                    halts:
                      file: %s
                    admin:
                      tokenEnv: OLDGUARD_ADMIN_TOKEN
                    cluster:
                      id: %s
                    %s
                    """.formatted(sidecar.agentPort, sidecar.adminPort, Path.of("wsdl/inventory.wsdl").toAbsolutePath(),
                    endpoint, backend, policies.toAbsolutePath(), dir.resolve("halts.json"), id, cluster));
            sidecar.launch();
            return sidecar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the fleet's policy folder under {@code root}: GetStock for three agents (halting on invalid ItemIDs),
     * with audit-bot's rate as given and the others' out of the way, and calls in flight per agent allowed up to
     * 64, so a storm measures the backend's fleet-wide limit rather than each agent's in-flight cap.
     */
    public static Path policies(Path root, String auditBotRate) throws IOException {
        Path policies = Files.createDirectories(root.resolve("policies"));
        Files.writeString(policies.resolve("fleet.yaml"), """
                tools:
                  GetStock:
                    params:
                      ItemID: { minimum: 1, maximum: 9999999 }
                    onViolation: halt
                agents:
                  support-bot: { tools: [GetStock], limits: { rate: "1000/s", maxInFlight: 64 } }
                  order-bot: { tools: [GetStock], limits: { rate: "1000/s", maxInFlight: 64 } }
                  audit-bot: { tools: [GetStock], limits: { rate: "%s", maxInFlight: 64 } }
                """.formatted(auditBotRate));
        return policies;
    }

    private void launch() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m",
                // The product's logging (JSON on stdout, into out.log), not the tests' shared log file.
                "-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), "io.oldguard.cli.Main", "run",
                "--config", dir.resolve("sidecar.yaml").toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()));
        builder.environment().putAll(SidecarHarness.tokens());
        builder.environment().put("OLDGUARD_TOKEN_AUDIT_BOT", AUDIT_TOKEN);
        process = builder.start();
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        Http admin = admin();
        while (Instant.now().isBefore(until)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sidecar " + id + " exited: " + log());
            }
            try {
                if (admin.get("/healthz", null).status() == 200) {
                    return;
                }
            } catch (RuntimeException e) {
                // Not listening yet.
            }
            sleep(100);
        }
        throw new IllegalStateException("sidecar " + id + " did not answer /healthz within 60 s: " + log());
    }

    public String id() {
        return id;
    }

    public Http agent() {
        return new Http("http://127.0.0.1:" + agentPort);
    }

    public Http admin() {
        return new Http("http://127.0.0.1:" + adminPort);
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("out.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: no shutdown hook runs, leases and all are left behind as by a crashed pod. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
