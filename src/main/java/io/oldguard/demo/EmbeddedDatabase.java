package io.oldguard.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A throwaway PostgreSQL for the demo and the stand-alone simulator: a real server, started from Maven jars. */
record EmbeddedDatabase(EmbeddedPostgres postgres) implements AutoCloseable {

    /** The role and database the shipped {@code sidecar.yaml} names for its SQL tools. */
    static final String SIDECAR_ROLE = "oldguard";
    static final String INVENTORY_DATABASE = "inventory";
    /** The database {@link #jdbcUrl()} names, where the demo's service keeps its tables. */
    static final String SERVICE_DATABASE = "postgres";

    /** On a free port. */
    static EmbeddedDatabase start() throws IOException {
        return start(0);
    }

    /** @param port where it listens; 0 for any free port */
    static EmbeddedDatabase start(int port) throws IOException {
        // Its own shutdown hook stays: a stop signal during start-up, before the CLI's hook knows it, must stop it too.
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (port > 0) {
            builder.setPort(port);
        }
        return new EmbeddedDatabase(builder.start());
    }

    /** The {@code postgres} database, as its superuser. */
    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", SERVICE_DATABASE);
    }

    int port() {
        return postgres.getPort();
    }

    /**
     * Makes what the shipped {@code sidecar.yaml} expects: a database {@code inventory} and a login role
     * {@code oldguard} (no password: the embedded server trusts loopback) that may read every table the simulator
     * creates there, and nothing more. Returns the database's URL, for the simulator (which connects as
     * {@code postgres} and owns the tables, as the 2008 application did).
     */
    String prepareInventory() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + SIDECAR_ROLE + " LOGIN");
            s.execute("CREATE DATABASE " + INVENTORY_DATABASE);
        }
        String url = postgres.getJdbcUrl("postgres", INVENTORY_DATABASE);
        try (Connection c = postgres.getDatabase("postgres", INVENTORY_DATABASE).getConnection();
             Statement s = c.createStatement()) {
            s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + SIDECAR_ROLE);
        }
        return url;
    }

    /** A new, empty database on this server, as the superuser's JDBC URL to it. */
    String createDatabase(String name) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return postgres.getJdbcUrl("postgres", name);
    }

    /** A connection to the {@code postgres} database as the superuser, who sees every session in pg_stat_activity. */
    Connection superuserConnection() throws SQLException {
        return postgres.getPostgresDatabase().getConnection();
    }

    /** What {@code sidecar.yaml}'s {@code databases.<name>.url} must say to reach {@link #prepareInventory}'s database. */
    String inventoryUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + INVENTORY_DATABASE;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
