package io.oldguard.sql;

import io.oldguard.call.Reachability;
import io.oldguard.config.DatabaseConfig;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * The readiness probe of one database: a TCP connect to its port, then a login with oldguard's own credentials and
 * a {@code SELECT 1} on a connection of its own. The port answering proves little (the role or the database may be
 * missing, the password wrong), so the login is what decides. The connection is not borrowed from the pool: a
 * busy pool would look like a dead database, and the probe would take a connection calls are waiting for. One
 * short extra session every probe interval is the price.
 */
final class DatabaseProbe {

    private final String url;
    private final String host;
    private final int port;
    private final Duration timeout;
    private final Properties login = new Properties();

    DatabaseProbe(DatabaseConfig db, String password) {
        this.url = db.url();
        URI uri = URI.create(db.url().substring("jdbc:".length()));
        this.host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 5432;
        this.timeout = db.connectionTimeout();
        String seconds = String.valueOf(Math.max(1, (timeout.toMillis() + 999) / 1000));
        login.setProperty("user", db.user());
        if (password != null) {
            login.setProperty("password", password);
        }
        login.setProperty("ApplicationName", "oldguard-readiness");
        login.setProperty("connectTimeout", seconds);
        login.setProperty("loginTimeout", seconds);
        login.setProperty("socketTimeout", seconds);
    }

    /** Blocks for at most about twice the database's {@code connectionTimeout}; off the event loop. */
    Reachability probe() {
        Reachability port = Reachability.connect(host, this.port, timeout);
        if (!port.up()) {
            return port;
        }
        try (Connection c = DriverManager.getConnection(url, login); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return Reachability.reachable();
        } catch (SQLException e) {
            return DatabaseFailure.of(e).reachability();
        }
    }
}
