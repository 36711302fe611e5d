package io.oldguard.testing;

import io.oldguard.Sidecar;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.DatabaseConfig;
import io.oldguard.config.HaltsConfig;
import io.oldguard.config.Listeners;
import io.oldguard.config.SidecarConfig;
import io.oldguard.config.SoapBackendConfig;
import io.oldguard.simulator.LegacyInventorySimulator;
import io.oldguard.simulator.SimulatorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A real PostgreSQL database, the real CXF simulator and a real oldguard on free loopback ports, configured from
 * the shipped {@code sidecar.yaml} and {@code policies/} (adjustable per test).
 */
public final class SidecarHarness implements AutoCloseable {

    public static final String SUPPORT_TOKEN = "support-bot-test-token-0123456789";
    public static final String ORDER_TOKEN = "order-bot-test-token-0123456789";
    public static final String ADMIN_TOKEN = "admin-test-token-0123456789abcdef";

    private final TestDatabase database;
    private final LegacyInventorySimulator simulator;
    private final Sidecar sidecar;

    private SidecarHarness(TestDatabase database, LegacyInventorySimulator simulator, Sidecar sidecar) {
        this.database = database;
        this.simulator = simulator;
        this.sidecar = sidecar;
    }

    public static SidecarHarness start() {
        return start(UnaryOperator.identity(), UnaryOperator.identity());
    }

    /**
     * @param simulatorSettings adjusts the simulator (workers, latency)
     * @param sidecarConfig     adjusts the sidecar configuration after listeners and endpoint are set
     */
    public static SidecarHarness start(UnaryOperator<SimulatorSettings> simulatorSettings,
            UnaryOperator<SidecarConfig> sidecarConfig) {
        return start(simulatorSettings, sidecarConfig, sql -> { });
    }

    /** @param prepare runs SQL on the test database after the simulator made its tables, before oldguard starts */
    public static SidecarHarness start(UnaryOperator<SimulatorSettings> simulatorSettings,
            UnaryOperator<SidecarConfig> sidecarConfig, SqlStep prepare) {
        return start(Path.of("sidecar.yaml"), simulatorSettings, sidecarConfig, prepare);
    }

    /** @param configFile the sidecar.yaml read at start and again on every reload */
    public static SidecarHarness start(Path configFile, UnaryOperator<SimulatorSettings> simulatorSettings,
            UnaryOperator<SidecarConfig> sidecarConfig, SqlStep prepare) {
        return start(configFile, simulatorSettings, sidecarConfig, prepare, Clock.systemUTC());
    }

    /** @param clock the sidecar's wall clock: a {@link MutableClock} for tests of expiry */
    public static SidecarHarness start(UnaryOperator<SidecarConfig> sidecarConfig, Clock clock) {
        return start(Path.of("sidecar.yaml"), UnaryOperator.identity(), sidecarConfig, sql -> { }, clock);
    }

    private static SidecarHarness start(Path configFile, UnaryOperator<SimulatorSettings> simulatorSettings,
            UnaryOperator<SidecarConfig> sidecarConfig, SqlStep prepare, Clock clock) {
        TestDatabase database = TestDatabase.create();
        LegacyInventorySimulator simulator = null;
        try {
            simulator = LegacyInventorySimulator.start(simulatorSettings.apply(SimulatorSettings.defaults(
                    Path.of("wsdl/inventory.wsdl"), database.jdbcUrl(), database.user(), database.password())));
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                prepare.run(s);
            }
            URI endpoint = simulator.endpoint();
            Path halts = freshHaltsFile();
            // Read again on every reload with the same adjustments, as `oldguard run` reads its file again.
            Supplier<SidecarConfig> read = () -> sidecarConfig.apply(withDatabase(pointedAt(
                    ConfigLoader.load(configFile), endpoint, halts), database));
            Sidecar sidecar = Sidecar.start(read.get(), configFile.toString(), read, tokens(), clock);
            return new SidecarHarness(database, simulator, sidecar);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (SQLException | RuntimeException e) {
            if (simulator != null) {
                simulator.close();
            }
            database.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** SQL run against the test database. */
    @FunctionalInterface
    public interface SqlStep {
        void run(Statement statement) throws SQLException;
    }

    /** Free ports, the given endpoint, and a halts file of its own so tests never share halted agents. */
    private static SidecarConfig pointedAt(SidecarConfig config, URI endpoint, Path halts) {
        SoapBackendConfig inventory = config.backends().get("inventory").withEndpoint(endpoint);
        return config.withListeners(Listeners.ephemeral()).withBackends(Map.of("inventory", inventory))
                .withHalts(new HaltsConfig(halts.toString(), config.halts().errorStreak()));
    }

    /** The shipped database entry, pointed at the test database (trust auth, no password). */
    public static SidecarConfig withDatabase(SidecarConfig config, TestDatabase database) {
        DatabaseConfig shipped = config.databases().get("inventory-db");
        DatabaseConfig test = new DatabaseConfig(database.jdbcUrl(), database.user(), null, null, shipped.maxPoolSize(),
                shipped.connectionTimeout(), shipped.statementTimeout(), shipped.lockTimeout(),
                shipped.idleInTransactionTimeout(), shipped.breaker());
        return config.withDatabases(Map.of("inventory-db", test));
    }

    public static Path freshHaltsFile() {
        try {
            return Files.createTempDirectory("oldguard-halts").resolve("halts.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> tokens() {
        return Map.of("OLDGUARD_TOKEN_SUPPORT_BOT", SUPPORT_TOKEN, "OLDGUARD_TOKEN_ORDER_BOT", ORDER_TOKEN,
                "OLDGUARD_ADMIN_TOKEN", ADMIN_TOKEN);
    }

    public Http agent() {
        return new Http("http://127.0.0.1:" + sidecar.agentPort());
    }

    public Http admin() {
        return new Http("http://127.0.0.1:" + sidecar.adminPort());
    }

    public LegacyInventorySimulator simulator() {
        return simulator;
    }

    public TestDatabase database() {
        return database;
    }

    @Override
    public void close() {
        sidecar.close();
        simulator.close();
        database.close();
    }
}
