package io.oldguard.testing;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A throw-away PostgreSQL database for one test class, created on the server named by OLDGUARD_TEST_PG_*. */
public final class TestDatabase implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String adminUrl;
    private final String name;
    private final String user;
    private final String password;

    private TestDatabase(String adminUrl, String name, String user, String password) {
        this.adminUrl = adminUrl;
        this.name = name;
        this.user = user;
        this.password = password;
    }

    /** Creates {@code og_<random suffix>} through the admin URL (default the local {@code postgres} database). */
    public static TestDatabase create() {
        String adminUrl = env("OLDGUARD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        String user = env("OLDGUARD_TEST_PG_USER", "postgres");
        String password = env("OLDGUARD_TEST_PG_PASSWORD", "");
        TestDatabase database = new TestDatabase(adminUrl, "og_" + randomSuffix(), user, password);
        // The name is generated from [a-z0-9] only, so it is safe to splice into DDL.
        database.admin("CREATE DATABASE " + database.name);
        return database;
    }

    /** JDBC URL of the new database: the admin URL with its database name replaced. */
    public String jdbcUrl() {
        int query = adminUrl.indexOf('?');
        String base = query < 0 ? adminUrl : adminUrl.substring(0, query);
        String parameters = query < 0 ? "" : adminUrl.substring(query);
        int slash = base.lastIndexOf('/');
        if (slash < "jdbc:postgresql://".length()) {
            return base + "/" + name + parameters;
        }
        return base.substring(0, slash + 1) + name + parameters;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** The database's name, for filtering {@code pg_stat_activity}. */
    public String name() {
        return name;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Drops the database, disconnecting any pool a test forgot to close. */
    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private void admin(String sql) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot run '" + sql + "' on " + adminUrl, e);
        }
    }

    private static String randomSuffix() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder suffix = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            suffix.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return suffix.toString();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
