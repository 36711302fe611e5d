package io.oldguard.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable start-up settings of one {@link LegacyInventorySimulator}.
 *
 * @param host       loopback address the CXF Jetty engine binds to
 * @param port       TCP port, or 0 to pick a free one at start
 * @param wsdl       the 2008 contract served at {@code ?wsdl}
 * @param jdbcUrl    PostgreSQL database holding the {@code inv} table
 * @param dbUser     database user
 * @param dbPassword database password (may be empty)
 * @param workers    size of the fixed worker pool; requests beyond it queue, like the old app server
 * @param dbPoolSize maximum HikariCP connections
 * @param latency    initial per-request latency, changeable at runtime
 */
public record SimulatorSettings(String host, int port, Path wsdl, String jdbcUrl, String dbUser, String dbPassword,
                                int workers, int dbPoolSize, Duration latency) {

    public SimulatorSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(wsdl, "wsdl");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(dbUser, "dbUser");
        Objects.requireNonNull(latency, "latency");
        dbPassword = dbPassword == null ? "" : dbPassword;
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (workers < 1 || dbPoolSize < 1) {
            throw new IllegalArgumentException("workers and dbPoolSize must be at least 1");
        }
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative: " + latency);
        }
    }

    /** Loopback, a free port, 4 workers, 10 database connections and no added latency. */
    public static SimulatorSettings defaults(Path wsdl, String jdbcUrl, String dbUser, String dbPassword) {
        return new SimulatorSettings("127.0.0.1", 0, wsdl, jdbcUrl, dbUser, dbPassword, 4, 10, Duration.ZERO);
    }

    public SimulatorSettings withPort(int port) {
        return new SimulatorSettings(host, port, wsdl, jdbcUrl, dbUser, dbPassword, workers, dbPoolSize, latency);
    }

    public SimulatorSettings withJdbcUrl(String jdbcUrl) {
        return new SimulatorSettings(host, port, wsdl, jdbcUrl, dbUser, dbPassword, workers, dbPoolSize, latency);
    }

    public SimulatorSettings withWorkers(int workers) {
        return new SimulatorSettings(host, port, wsdl, jdbcUrl, dbUser, dbPassword, workers, dbPoolSize, latency);
    }

    public SimulatorSettings withLatency(Duration latency) {
        return new SimulatorSettings(host, port, wsdl, jdbcUrl, dbUser, dbPassword, workers, dbPoolSize, latency);
    }

    public SimulatorSettings withDbPoolSize(int dbPoolSize) {
        return new SimulatorSettings(host, port, wsdl, jdbcUrl, dbUser, dbPassword, workers, dbPoolSize, latency);
    }
}
