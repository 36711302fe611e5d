package io.oldguard.sql;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.oldguard.Sidecar;
import io.oldguard.admin.Readiness;
import io.oldguard.config.DatabaseConfig;
import io.oldguard.config.SidecarConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.LogCapture;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.SidecarHarness;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Readiness of a database tells "its port answers" from "oldguard can log in and run {@code SELECT 1}", and names
 * the cause — on {@code /readyz}, in {@code oldguard_backend_up}, in the start-up log and in the log of a call.
 */
class DatabaseReadinessIT {

    @Test
    void aRoleThatDoesNotExistMakesTheSidecarNotReadyAndSaysWhy() {
        try (LogCapture log = new LogCapture(Readiness.class);
             SidecarHarness harness = SidecarHarness.start(s -> s, database(d -> as(d, "og_no_such_role")))) {

            Http.Reply reply = harness.admin().get("/readyz", null);

            assertThat(reply.status()).isEqualTo(503);
            JsonNode db = reply.json().path("backends").path("inventory-db");
            assertThat(db.path("state").asText()).isEqualTo("login-failed");
            assertThat(db.path("reason").asText()).isEqualTo("authentication");
            assertThat(db.has("detail")).as("the server's words stay off the unauthenticated page").isFalse();
            assertThat(Metrics.value(harness.admin(), "oldguard_backend_up{backend=\"inventory-db\"}")).isZero();
            assertThat(log.events()).map(ILoggingEvent::getFormattedMessage)
                    .anyMatch(line -> line.contains("inventory-db") && line.contains("port answers")
                            && line.contains("role \"og_no_such_role\" does not exist"));
        }
    }

    @Test
    void aMissingDatabaseIsNamedAsTheReason() {
        try (SidecarHarness harness = SidecarHarness.start(s -> s,
                database(d -> d.withUrl(d.url().replaceAll("/og_[a-z0-9]+", "/og_no_such_database"))))) {

            JsonNode db = harness.admin().get("/readyz", null).json().path("backends").path("inventory-db");

            assertThat(db.path("state").asText()).isEqualTo("login-failed");
            assertThat(db.path("reason").asText()).isEqualTo("missing-database");
            assertThat(reply(harness).toString()).doesNotContain("og_no_such_database");
        }
    }

    private static JsonNode reply(SidecarHarness harness) {
        return harness.admin().get("/readyz", null).json();
    }

    @Test
    void aPortNothingListensOnIsUnreachable() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String nowhere = "jdbc:postgresql://127.0.0.1:" + closed + "/inventory";
        try (SidecarHarness harness = SidecarHarness.start(s -> s, database(d -> d.withUrl(nowhere)))) {

            JsonNode db = harness.admin().get("/readyz", null).json().path("backends").path("inventory-db");

            assertThat(db.path("state").asText()).isEqualTo("unreachable");
            assertThat(db.path("reason").asText()).isEqualTo("connection-refused");
        }
    }

    @Test
    void aDatabaseOldguardCanLogInToIsReachable() {
        try (SidecarHarness harness = SidecarHarness.start()) {

            Http.Reply reply = harness.admin().get("/readyz", null);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().path("backends").path("inventory-db").path("state").asText()).isEqualTo("reachable");
            assertThat(Metrics.value(harness.admin(), "oldguard_backend_up{backend=\"inventory-db\"}")).isEqualTo(1.0);
        }
    }

    @Test
    void aCallThatCannotGetAConnectionLogsTheRealCause() {
        try (LogCapture log = new LogCapture(SqlErrors.class);
             SidecarHarness harness = SidecarHarness.start(s -> s, database(d -> as(d, "og_no_such_role")))) {

            Http.Reply reply = harness.agent().postJson("/v1/tools/low_stock", SUPPORT_TOKEN,
                    "{\"category\": \"GARDEN\", \"below\": 40}");

            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.body()).doesNotContain("og_no_such_role");
            assertThat(log.events()).map(ILoggingEvent::getFormattedMessage)
                    .anyMatch(line -> line.contains("role \"og_no_such_role\" does not exist"));
        }
    }

    @Test
    void aReloadDoesNotWaitForADatabaseKnownToBeDown() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String nowhere = "jdbc:postgresql://127.0.0.1:" + closed + "/inventory";
        try (SidecarHarness harness = SidecarHarness.start(s -> s, database(d -> d.withUrl(nowhere)));
             LogCapture log = new LogCapture(Sidecar.class)) {

            long started = System.nanoTime();
            Http.Reply reload = harness.admin().postJson("/v1/policies/reload", ADMIN_TOKEN, "");
            double seconds = (System.nanoTime() - started) / 1e9;

            System.out.printf("reload with the database down took %.3f s (2 SQL tools, connectionTimeout 1 s each)%n", seconds);
            assertThat(reload.status()).isEqualTo(200);
            assertThat(log.events()).map(ILoggingEvent::getFormattedMessage)
                    .filteredOn(line -> line.startsWith("SQL tool not checked"))
                    .hasSize(2).allMatch(line -> line.contains("(at the last readiness probe)"));
            // Waiting for a connection per SQL tool, as before, took at least 2 s.
            assertThat(seconds).isLessThan(2.0);
        }
    }

    private static UnaryOperator<SidecarConfig> database(UnaryOperator<DatabaseConfig> change) {
        return c -> c.withDatabases(Map.of("inventory-db", change.apply(c.databases().get("inventory-db"))));
    }

    private static DatabaseConfig as(DatabaseConfig d, String user) {
        return new DatabaseConfig(d.url(), user, d.passwordEnv(), d.passwordFile(), d.maxPoolSize(), d.connectionTimeout(),
                d.statementTimeout(), d.lockTimeout(), d.idleInTransactionTimeout(), d.breaker());
    }
}
