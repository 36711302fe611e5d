package io.oldguard.demo;

import io.oldguard.cli.Options;
import io.oldguard.cli.RunCommand;
import io.oldguard.config.Durations;
import io.oldguard.simulator.LegacyInventorySimulator;
import io.oldguard.simulator.SimulatorSettings;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code oldguard simulator}: the legacy inventory service alone, for benchmarks and for trying oldguard by hand.
 * Without {@code --jdbc-url} it brings its own embedded PostgreSQL.
 */
final class SimulatorCommand {

    private SimulatorCommand() {
    }

    static int run(Options options) {
        try {
            EmbeddedDatabase embedded = options.values().containsKey("jdbc-url") ? null : EmbeddedDatabase.start();
            String jdbcUrl = embedded == null ? options.get("jdbc-url", null) : embedded.jdbcUrl();
            SimulatorSettings settings = SimulatorSettings.defaults(Path.of(options.get("wsdl", "wsdl/inventory.wsdl")),
                            jdbcUrl, options.get("db-user", "postgres"), options.get("db-password", ""))
                    .withPort(Integer.parseInt(options.get("port", "8088")))
                    .withWorkers(Integer.parseInt(options.get("workers", "4")))
                    .withDbPoolSize(Integer.parseInt(options.get("db-pool", "10")))
                    .withLatency(Durations.parse(options.get("latency", "0ms")));
            LegacyInventorySimulator simulator = LegacyInventorySimulator.start(settings);
            System.out.println("legacy inventory simulator at " + simulator.endpoint() + " (WSDL: " + simulator.endpoint()
                    + "?wsdl), " + settings.workers() + " workers, latency " + Durations.format(settings.latency())
                    + (embedded == null ? "" : ", embedded PostgreSQL " + jdbcUrl) + "; Ctrl-C stops it");
            if (embedded == null) {
                RunCommand.awaitShutdown(simulator);
            } else {
                RunCommand.awaitShutdown(simulator, embedded);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("oldguard simulator: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
