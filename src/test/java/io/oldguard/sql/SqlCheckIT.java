package io.oldguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.cli.MainAccess;
import io.oldguard.config.BrokenCopies;
import io.oldguard.simulator.InventoryDatabase;
import io.oldguard.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oldguard check --db}: SQL tools are checked against the real database, by file and key. */
class SqlCheckIT {

    private static TestDatabase database;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private Path config;
    private Path sqlPolicy;

    @BeforeAll
    static void schema() {
        database = TestDatabase.create();
        InventoryDatabase.open(database.jdbcUrl(), database.user(), database.password(), 1).close();
    }

    @AfterAll
    static void drop() {
        database.close();
    }

    @BeforeEach
    void copy() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "url: jdbc:postgresql://127.0.0.1:5432/inventory", "url: " + database.jdbcUrl());
        BrokenCopies.replace(config, "user: oldguard", "user: " + database.user());
        sqlPolicy = dir.resolve("policies/sql.yaml");
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
    }

    @Test
    void acceptsTheShippedSqlTools() {
        assertThat(MainAccess.run("check", "--db", "--config", config.toString())).as(err.toString(StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void refusesStatementsThatDoNotParse() {
        BrokenCopies.replace(sqlPolicy, "SELECT reservation_id, quantity", "SELEC reservation_id, quantity");

        assertThat(MainAccess.run("check", "--db", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("error: " + sqlPolicy + ":23: sqlTools.item_reservations.sql: rejected by database inventory-db: ERROR: syntax error");
    }

    @Test
    void refusesADeclaredTypeTheDatabaseDoesNotExpect() {
        BrokenCopies.replace(sqlPolicy, "item_id: { type: integer, minimum: 1, maximum: 9999999",
                "item_id: { type: text, maxLength: 7");

        assertThat(MainAccess.run("check", "--db", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("error: " + sqlPolicy + ":29: sqlTools.item_reservations.params.item_id.type: declared text, but the database expects int4 for :item_id");
    }

    @Test
    void aLoginTheDatabaseRefusesIsReportedWithItsCause() {
        BrokenCopies.replace(config, "user: " + database.user(), "user: og_no_such_role");

        assertThat(MainAccess.run("check", "--db", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("sqlTools.low_stock: database inventory-db cannot be used to check the statement "
                        + "(authentication: FATAL: role \"og_no_such_role\" does not exist)")
                .doesNotContain("Connection is not available");
    }

    @Test
    void withoutDbOnlyTheStaticChecksRun() {
        BrokenCopies.replace(sqlPolicy, "WHERE item_id = :item_id", "WHERE item_id = :itemid");

        assertThat(MainAccess.run("check", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("sqlTools.item_reservations.params: the SQL uses :itemid but no parameter itemid is declared")
                .contains("sqlTools.item_reservations.params.item_id: declared but the SQL never uses :item_id");
    }
}
