package io.oldguard.demo;

import io.oldguard.simulator.InventoryDatabase;
import io.oldguard.simulator.LegacyInventorySimulator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads what the legacy service went through, from the service and its database rather than from the agents: the
 * simulator's own counters (requests received, faults answered) and, from PostgreSQL's {@code pg_stat_activity},
 * the connections the service's pool holds open to its database.
 */
final class ServiceGauge {

    private final LegacyInventorySimulator service;
    private final PreparedStatement connections;

    /**
     * @param postgres a connection to the same server as a superuser (who sees every session); the caller closes it
     * @param database the database the service's pool connects to
     */
    ServiceGauge(LegacyInventorySimulator service, Connection postgres, String database) throws SQLException {
        this.service = service;
        this.connections = postgres.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = ? AND application_name = ? AND pid <> pg_backend_pid()");
        connections.setString(1, database);
        connections.setString(2, InventoryDatabase.APPLICATION_NAME);
    }

    long received() {
        return service.requestsReceived();
    }

    long faults() {
        return service.faultsAnswered();
    }

    /** Connections the service holds open to PostgreSQL now, busy or idle in its pool. */
    int connections() {
        try (ResultSet rs = connections.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the service's connections in pg_stat_activity", e);
        }
    }
}
