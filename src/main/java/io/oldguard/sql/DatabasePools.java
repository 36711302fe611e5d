package io.oldguard.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.call.Reachability;
import io.oldguard.config.ConfigException;
import io.oldguard.config.DatabaseConfig;
import io.oldguard.config.Secrets;
import io.oldguard.config.SidecarConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One small HikariCP pool per configured database. Every connection carries the guard rails the incident lacked:
 * {@code statement_timeout}, {@code lock_timeout}, {@code idle_in_transaction_session_timeout} and
 * {@code application_name=oldguard} (so an operator can find oldguard's sessions in {@code pg_stat_activity}).
 * Pools start even when the database is down and connect when it comes back; a connection is validated before it
 * is handed out after being idle, so a database restart leaves no stale connection behind.
 */
public final class DatabasePools implements AutoCloseable {

    private final Map<String, HikariDataSource> pools;
    private final Map<String, DatabaseProbe> probes;
    private final Map<String, Reachability> lastProbed = new ConcurrentHashMap<>();

    private DatabasePools(Map<String, HikariDataSource> pools, Map<String, DatabaseProbe> probes) {
        this.pools = pools;
        this.probes = probes;
    }

    public static DatabasePools open(SidecarConfig config, String configFile, Map<String, String> env, MeterRegistry metrics) {
        Map<String, HikariDataSource> pools = new LinkedHashMap<>();
        Map<String, DatabaseProbe> probes = new LinkedHashMap<>();
        config.databases().forEach((name, db) -> {
            String password = password(config, configFile, name, db, env);
            pools.put(name, pool(name, db, password, metrics));
            probes.put(name, new DatabaseProbe(db, password));
        });
        return new DatabasePools(pools, probes);
    }

    public HikariDataSource get(String database) {
        return pools.get(database);
    }

    /** Whether oldguard can log in to the database and run {@code SELECT 1}, on a connection outside the pool. */
    public Reachability probe(String database) {
        Reachability found = probes.get(database).probe();
        lastProbed.put(database, found);
        return found;
    }

    /**
     * A pooled connection, or at once an exception naming why not when the last probe found the database
     * unusable: checking SQL tools must not wait {@code connectionTimeout} per tool for a database already known to
     * be down (a reload would take seconds to apply). Never probed: tries the pool.
     */
    public Connection connectionIfUsable(String database) throws SQLException {
        Reachability last = lastProbed.get(database);
        if (last != null && !last.up()) {
            throw new Unusable(last);
        }
        return connection(database);
    }

    public Connection connection(String database) throws SQLException {
        return pools.get(database).getConnection();
    }

    private static HikariDataSource pool(String name, DatabaseConfig db, String password, MeterRegistry metrics) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("oldguard-" + name);
        hc.setJdbcUrl(db.url());
        hc.setUsername(db.user());
        if (password != null) {
            hc.setPassword(password);
        }
        // HikariCP's advice for a small fixed pool: as many idle connections as the maximum.
        hc.setMaximumPoolSize(db.maxPoolSize());
        hc.setMinimumIdle(db.maxPoolSize());
        hc.setConnectionTimeout(db.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.max(250, db.connectionTimeout().toMillis() / 2));
        hc.setLeakDetectionThreshold(Math.max(2000, db.statementTimeout().toMillis() * 2));
        // Start even while the database is down; calls get 503 until it is back.
        hc.setInitializationFailTimeout(-1);
        hc.addDataSourceProperty("ApplicationName", "oldguard");
        hc.addDataSourceProperty("options", "-c statement_timeout=" + db.statementTimeout().toMillis()
                + " -c lock_timeout=" + db.lockTimeout().toMillis()
                + " -c idle_in_transaction_session_timeout=" + db.idleInTransactionTimeout().toMillis());
        hc.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, db.connectionTimeout().toSeconds())));
        // If the server vanishes mid-query the socket must not wait for TCP keepalive.
        hc.addDataSourceProperty("socketTimeout", String.valueOf(db.statementTimeout().toSeconds() + 10));
        hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
        return new HikariDataSource(hc);
    }

    private static String password(SidecarConfig config, String configFile, String name, DatabaseConfig db,
            Map<String, String> env) {
        if (db.passwordEnv() == null && db.passwordFile() == null) {
            return null;
        }
        try {
            return Secrets.read(config, db.passwordEnv(), db.passwordFile(), env, "the database password");
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(configFile, "databases." + name, e.getMessage());
        }
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
    }

    /** The database was found unusable by the last readiness probe; no connection was tried. */
    static final class Unusable extends SQLException {

        private final transient Reachability found;

        Unusable(Reachability found) {
            super("not usable at the last readiness probe: " + found.describe(), "08001");
            this.found = found;
        }

        Reachability found() {
            return found;
        }
    }
}
