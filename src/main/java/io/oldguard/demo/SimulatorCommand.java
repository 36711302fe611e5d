package io.oldguard.demo;

import io.oldguard.cli.Options;
import io.oldguard.cli.Ports;
import io.oldguard.cli.RunCommand;
import io.oldguard.config.Durations;
import io.oldguard.simulator.LegacyInventorySimulator;
import io.oldguard.simulator.SimulatorSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * {@code oldguard simulator}: the legacy inventory service alone, for benchmarks and for trying oldguard by hand.
 * Without {@code --jdbc-url} it brings its own embedded PostgreSQL, on {@code --db-port} (5432), with the role and
 * database the shipped {@code sidecar.yaml} names, so {@code oldguard run} finds its SQL tools' data as written.
 */
final class SimulatorCommand {

    static final int DEFAULT_DB_PORT = 5432;

    private SimulatorCommand() {
    }

    static int run(Options options) {
        boolean embedded = !options.values().containsKey("jdbc-url");
        if (!embedded && options.values().containsKey("db-port")) {
            System.err.println("oldguard simulator: --db-port is the embedded PostgreSQL's port; with --jdbc-url the URL names it");
            return 2;
        }
        int port;
        int dbPort;
        try {
            port = Integer.parseInt(options.get("port", "8088"));
            dbPort = Integer.parseInt(options.get("db-port", String.valueOf(DEFAULT_DB_PORT)));
        } catch (NumberFormatException e) {
            System.err.println("oldguard simulator: --port and --db-port take a number (" + e.getMessage() + ")");
            return 2;
        }
        String clash = Ports.inUse("127.0.0.1", port, "--port");
        if (clash == null && embedded) {
            clash = Ports.inUse("127.0.0.1", dbPort, "--db-port (and set databases.inventory-db.url in sidecar.yaml to match)"
                    + ", or use a PostgreSQL of your own with --jdbc-url");
        }
        if (clash != null) {
            System.err.println("oldguard simulator: " + clash);
            return 1;
        }
        EmbeddedDatabase database = null;
        try {
            String jdbcUrl = options.get("jdbc-url", null);
            if (embedded) {
                database = EmbeddedDatabase.start(dbPort);
                jdbcUrl = database.prepareInventory();
            }
            SimulatorSettings settings = SimulatorSettings.defaults(Path.of(options.get("wsdl", "wsdl/inventory.wsdl")),
                            jdbcUrl, options.get("db-user", "postgres"), options.get("db-password", ""))
                    .withPort(port)
                    .withWorkers(Integer.parseInt(options.get("workers", "4")))
                    .withDbPoolSize(Integer.parseInt(options.get("db-pool", "10")))
                    .withLatency(Durations.parse(options.get("latency", "0ms")));
            LegacyInventorySimulator simulator = LegacyInventorySimulator.start(settings);
            System.out.println("legacy inventory simulator at " + simulator.endpoint() + " (WSDL: " + simulator.endpoint()
                    + "?wsdl), " + settings.workers() + " workers, latency " + Durations.format(settings.latency()));
            if (database == null) {
                System.out.println("its database: " + jdbcUrl + "; Ctrl-C stops it");
                RunCommand.awaitShutdown(simulator);
            } else {
                System.out.println("embedded PostgreSQL at " + database.inventoryUrl() + ", user "
                        + EmbeddedDatabase.SIDECAR_ROLE + " (no password) — what sidecar.yaml's databases.inventory-db"
                        + (dbPort == DEFAULT_DB_PORT ? " names" : " must name (url)") + "; Ctrl-C stops both");
                RunCommand.awaitShutdown(simulator, database);
            }
            return 0;
        } catch (IOException | SQLException | RuntimeException e) {
            System.err.println("oldguard simulator: " + e.getMessage());
            closeQuietly(database);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void closeQuietly(EmbeddedDatabase database) {
        if (database == null) {
            return;
        }
        try {
            database.close();
        } catch (IOException e) {
            System.err.println("oldguard simulator: stopping the embedded PostgreSQL failed: " + e.getMessage());
        }
    }
}
