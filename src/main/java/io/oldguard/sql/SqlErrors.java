package io.oldguard.sql;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.audit.Events;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a database error to what the agent may know — the kind of failure (timeout, lock timeout, constraint,
 * unavailable, ...) — and nothing more: no SQL text, table or column names, no credentials. The full error goes
 * to the log under the call's request id.
 */
final class SqlErrors {

    private static final Logger LOG = LoggerFactory.getLogger(SqlErrors.class);

    private SqlErrors() {
    }

    static Refusal map(String database, String tool, SQLException e, Duration timeout) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean noConnection = e instanceof SQLTransientConnectionException || state.startsWith("08")
                || state.equals("57P01") || state.equals("57P03") || state.equals("53300");
        if (noConnection) {
            // The pool's own message ("Connection is not available") hides why: name the cause it kept.
            DatabaseFailure cause = DatabaseFailure.of(e);
            LOG.warn("database error in {}: no connection to {} ({}) — {}", tool, database, cause.describe(), e.getMessage(),
                    kv("event", Events.SQL_ERROR), kv("database", database), kv("tool", tool), kv("sqlState", cause.sqlState()),
                    kv("reason", cause.reason()));
        } else {
            LOG.warn("database error in {}: {}", tool, e.getMessage(), kv("event", Events.SQL_ERROR), kv("database", database),
                    kv("tool", tool), kv("sqlState", state));
        }
        if (noConnection) {
            return Refusals.databaseFailure(database, 503, "db-unavailable", "db_unavailable",
                    "cannot be reached or has no free connection", Duration.ofSeconds(1));
        }
        return switch (state) {
            case "57014" -> Refusals.databaseFailure(database, 504, "db-timeout", "db_timeout",
                    "did not finish the query within " + timeout.toMillis() + " ms; it was cancelled", null);
            case "55P03" -> Refusals.databaseFailure(database, 503, "db-lock-timeout", "db_lock_timeout",
                    "could not lock a row it needs because another transaction holds it", Duration.ofSeconds(1));
            case "40001", "40P01" -> Refusals.databaseFailure(database, 503, "db-conflict", "db_conflict",
                    "aborted the transaction because of a concurrent one (serialization failure or deadlock)",
                    Duration.ofSeconds(1));
            case "25006" -> Refusals.databaseFailure(database, 403, "db-read-only", "db_read_only",
                    "refused a change because this tool runs in a read-only transaction", null);
            default -> state.startsWith("23")
                    ? Refusals.databaseFailure(database, 409, "db-constraint", "db_constraint",
                            "refused the change because it would break a constraint (duplicate, missing reference or invalid value)", null)
                    : state.startsWith("22")
                            ? Refusals.databaseFailure(database, 422, "db-data-error", "db_data_error",
                                    "could not use one of the values (out of range or invalid for the column)", null)
                            : Refusals.databaseFailure(database, 502, "db-error", "db_error",
                                    "failed with an error (SQLSTATE " + state + ")", null);
        };
    }
}
