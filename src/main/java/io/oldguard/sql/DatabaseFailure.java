package io.oldguard.sql;

import io.oldguard.call.Reachability;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * The real cause of a failure to get a database connection. HikariCP answers a caller that waited in vain with
 * "Connection is not available, request timed out", and keeps the reason it could not connect (no such role,
 * no such database, wrong password, connection refused) as the exception's cause: this digs it out, so the log,
 * {@code check --db} and {@code /readyz} name it.
 *
 * @param reason     a stable word: {@code authentication}, {@code missing-database}, {@code connection-refused},
 *                   {@code unknown-host}, {@code timeout}, {@code too-many-connections}, {@code starting-up}, {@code error}
 * @param detail     the database's (or the driver's) own words, e.g. {@code FATAL: role "oldguard" does not exist}
 * @param sqlState   the cause's SQLSTATE, or the empty string
 * @param portClosed whether the server could not even be reached (as opposed to refusing the login)
 */
record DatabaseFailure(String reason, String detail, String sqlState, boolean portClosed) {

    static DatabaseFailure of(SQLException e) {
        if (e instanceof DatabasePools.Unusable unusable) {
            Reachability found = unusable.found();
            return new DatabaseFailure(found.reason(), found.detail() + " (at the last readiness probe)", "08001",
                    found.state() == Reachability.State.UNREACHABLE);
        }
        SQLException cause = e;
        // The innermost SQL exception carries the server's answer; a non-SQL cause below it the network's.
        Throwable network = null;
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof SQLException sql) {
                cause = sql;
            } else if (network == null) {
                network = t;
            }
        }
        String state = cause.getSQLState() == null ? "" : cause.getSQLState();
        String detail = text(cause);
        if (network != null && isNetwork(network)) {
            String reason = Reachability.connectReason(network);
            return new DatabaseFailure(reason, detail + " (" + text(network) + ")", state, !reason.equals("timeout"));
        }
        String reason = switch (state) {
            case "28000", "28P01" -> "authentication";
            case "3D000" -> "missing-database";
            case "53300" -> "too-many-connections";
            case "57P03" -> "starting-up";
            case "57014" -> "timeout";
            default -> cause == e && e instanceof SQLTransientConnectionException ? "timeout" : "error";
        };
        return new DatabaseFailure(reason, detail, state, false);
    }

    /** For a log line: {@code authentication: FATAL: role "oldguard" does not exist}. */
    String describe() {
        return reason + ": " + detail;
    }

    Reachability reachability() {
        return portClosed ? Reachability.unreachable(reason, detail) : Reachability.loginFailed(reason, detail);
    }

    private static boolean isNetwork(Throwable t) {
        return t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
                || t instanceof java.net.UnknownHostException;
    }

    private static String text(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
