package io.oldguard.simulator;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/** Owns the simulator's HikariCP pool and the {@code inv}/{@code reservations} schema with its seed data. */
public final class InventoryDatabase implements AutoCloseable {

    /** The {@code application_name} of the service's connections, as PostgreSQL's {@code pg_stat_activity} shows it. */
    public static final String APPLICATION_NAME = "legacy-inventory";

    // Any fixed number: serialises schema set-up when two simulators start on one database at the same time.
    private static final long SCHEMA_LOCK = 2008_0623L;

    private static final String[] SCHEMA = {
        """
        CREATE TABLE IF NOT EXISTS inv (
            item_id integer PRIMARY KEY,
            description text NOT NULL,
            category text NOT NULL,
            on_hand integer NOT NULL,
            reserved integer NOT NULL DEFAULT 0,
            warehouse text NOT NULL)""",
        """
        CREATE TABLE IF NOT EXISTS reservations (
            reservation_id text PRIMARY KEY,
            item_id integer NOT NULL,
            quantity integer NOT NULL,
            order_ref text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())""",
        "CREATE SEQUENCE IF NOT EXISTS reservation_seq",
    };

    private final HikariDataSource pool;
    private final AtomicLong connectionsBorrowed = new AtomicLong();

    private InventoryDatabase(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Opens the pool and creates and seeds the schema if absent; safe to call on an already seeded database. */
    public static InventoryDatabase open(String jdbcUrl, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        // Connections are opened on demand so many short-lived simulators do not exhaust max_connections.
        config.setMinimumIdle(1);
        config.setPoolName("legacy-inventory-db");
        // Its connections are told apart from others in pg_stat_activity (the demo counts them there).
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
        HikariDataSource pool = new HikariDataSource(config);
        InventoryDatabase database = new InventoryDatabase(pool);
        try {
            database.prepareSchema(false);
            return database;
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new IllegalStateException("Cannot prepare the inventory schema at " + jdbcUrl, e);
        }
    }

    /** Restores the seed state: items 1..500 with nothing reserved, no reservations, sequence restarted. */
    public void reset() {
        try {
            prepareSchema(true);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot reset the inventory database", e);
        }
    }

    /** The pool, for tests that want to look at the rows directly. */
    public DataSource dataSource() {
        return pool;
    }

    /** How many connections the service has taken from the pool; lets tests prove a path never touched the DB. */
    public long connectionsBorrowed() {
        return connectionsBorrowed.get();
    }

    /** A pooled connection for the service code; counted in {@link #connectionsBorrowed()}. */
    Connection connection() throws SQLException {
        connectionsBorrowed.incrementAndGet();
        return pool.getConnection();
    }

    @Override
    public void close() {
        pool.close();
    }

    private void prepareSchema(boolean wipe) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                for (String ddl : SCHEMA) {
                    s.execute(ddl);
                }
                if (wipe) {
                    s.execute("TRUNCATE inv, reservations");
                    s.execute("ALTER SEQUENCE reservation_seq RESTART WITH 1");
                }
                insertSeed(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void insertSeed(Connection c) throws SQLException {
        // The fixture itself uses bind parameters; only the simulated 2008 service code concatenates SQL.
        String sql = "INSERT INTO inv (item_id, description, category, on_hand, reserved, warehouse)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO NOTHING";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (int id = 1; id <= SeedItem.COUNT; id++) {
                SeedItem item = SeedItem.of(id);
                insert.setInt(1, item.itemId());
                insert.setString(2, item.description());
                insert.setString(3, item.category());
                insert.setInt(4, item.onHand());
                insert.setInt(5, item.reserved());
                insert.setString(6, item.warehouse());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
