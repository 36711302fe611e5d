package io.oldguard.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.call.Backend;
import io.oldguard.call.CallResult;
import io.oldguard.call.Reachability;
import io.oldguard.call.ToolCall;
import io.oldguard.catalog.SqlQuery;
import io.oldguard.guard.Refusals;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Runs SQL tools in one database, as typed JDBC parameters in a transaction (read-only unless the tool says
 * otherwise) whose {@code statement_timeout} is the time left to the call's deadline. The JDBC work runs on a
 * virtual thread of its own while the caller waits for it: if the deadline passes or the caller is interrupted
 * (client gone), the query is cancelled in PostgreSQL ({@code Statement.cancel}) and the worker rolls back and
 * returns its connection — no zombie query keeps a lock.
 */
public final class SqlBackend implements Backend {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String database;
    private final DataSource pool;
    private final Supplier<Reachability> probe;
    private final Duration statementTimeout;
    private final ExecutorService workers;
    private final Clock clock;

    /** @param probe the readiness probe: a login and {@code SELECT 1} outside the pool ({@link DatabasePools#probe}) */
    public SqlBackend(String database, DataSource pool, Supplier<Reachability> probe,
            Duration statementTimeout, ExecutorService workers, Clock clock) {
        this.database = database;
        this.pool = pool;
        this.probe = probe;
        this.statementTimeout = statementTimeout;
        this.workers = workers;
        this.clock = clock;
    }

    /** The running statement of one call, and whether it was called off. */
    private static final class Running {
        final AtomicReference<Statement> statement = new AtomicReference<>();
        final AtomicBoolean cancelled = new AtomicBoolean();

        void cancel() {
            cancelled.set(true);
            Statement s = statement.get();
            if (s != null) {
                try {
                    s.cancel();
                } catch (SQLException ignored) {
                    // The statement finished or its connection broke: either way nothing is left running.
                }
            }
        }
    }

    @Override
    public CallResult invoke(ToolCall call) {
        Duration remaining = Duration.between(clock.instant(), call.deadline());
        if (remaining.isNegative() || remaining.isZero()) {
            return timedOut(call);
        }
        Running running = new Running();
        Future<CallResult> work = workers.submit(() -> execute(call, remaining, running));
        try {
            return work.get(remaining.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            running.cancel();
            return timedOut(call);
        } catch (InterruptedException e) {
            running.cancel();
            Thread.currentThread().interrupt();
            return new CallResult.Failure(Refusals.cancelled());
        } catch (ExecutionException e) {
            throw new IllegalStateException("SQL tool " + call.tool().name() + " failed unexpectedly", e.getCause());
        }
    }

    private CallResult execute(ToolCall call, Duration remaining, Running running) {
        SqlQuery query = (SqlQuery) call.tool().binding();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(query.readOnly());
            try {
                try (Statement s = c.createStatement()) {
                    // A number we computed, not an argument: the statement may not outlive the call.
                    s.execute("SET LOCAL statement_timeout = " + Math.max(1, Math.min(remaining.toMillis(), statementTimeout.toMillis())));
                }
                try (PreparedStatement ps = c.prepareStatement(query.jdbcSql())) {
                    running.statement.set(ps);
                    if (running.cancelled.get()) {
                        c.rollback();
                        return new CallResult.Failure(Refusals.cancelled());
                    }
                    ps.setMaxRows(query.maxRows() + 1);
                    bind(ps, query, call.arguments());
                    ObjectNode result = ps.execute() ? rows(ps.getResultSet(), query.maxRows()) : updated(ps.getUpdateCount());
                    c.commit();
                    return new CallResult.Success(result);
                }
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            if (running.cancelled.get()) {
                return new CallResult.Failure(Refusals.cancelled());
            }
            return new CallResult.Failure(SqlErrors.map(database, call.tool().name(), e, remaining));
        }
    }

    private static void bind(PreparedStatement ps, SqlQuery query, ObjectNode arguments) throws SQLException {
        for (int i = 0; i < query.placeholders().size(); i++) {
            String name = query.placeholders().get(i);
            int type = query.jdbcTypes().get(name);
            JsonNode value = arguments.get(name);
            int index = i + 1;
            if (value == null || value.isNull()) {
                ps.setNull(index, type);
                continue;
            }
            switch (type) {
                case Types.INTEGER -> ps.setInt(index, value.intValue());
                case Types.BIGINT -> ps.setLong(index, value.longValue());
                case Types.NUMERIC -> ps.setBigDecimal(index, value.decimalValue());
                case Types.BOOLEAN -> ps.setBoolean(index, value.booleanValue());
                case Types.DATE -> ps.setObject(index, LocalDate.parse(value.textValue()));
                default -> ps.setString(index, value.textValue());
            }
        }
    }

    private static ObjectNode rows(ResultSet rs, int maxRows) throws SQLException {
        ObjectNode result = JSON.objectNode();
        ArrayNode rows = result.putArray("rows");
        ResultSetMetaData meta = rs.getMetaData();
        boolean truncated = false;
        while (rs.next()) {
            if (rows.size() == maxRows) {
                truncated = true;
                break;
            }
            ObjectNode row = rows.addObject();
            for (int col = 1; col <= meta.getColumnCount(); col++) {
                row.set(meta.getColumnLabel(col), value(rs, col, meta.getColumnType(col), meta.getColumnTypeName(col)));
            }
        }
        result.put("truncated", truncated);
        return result;
    }

    private static JsonNode value(ResultSet rs, int col, int type, String typeName) throws SQLException {
        Object o = rs.getObject(col);
        if (o == null) {
            return JSON.nullNode();
        }
        return switch (type) {
            case Types.INTEGER, Types.SMALLINT, Types.TINYINT, Types.BIGINT -> JSON.numberNode(rs.getLong(col));
            case Types.NUMERIC, Types.DECIMAL -> JSON.numberNode(rs.getBigDecimal(col));
            case Types.DOUBLE, Types.REAL, Types.FLOAT -> JSON.numberNode(rs.getDouble(col));
            case Types.BOOLEAN, Types.BIT -> JSON.booleanNode(rs.getBoolean(col));
            case Types.DATE -> JSON.textNode(rs.getObject(col, LocalDate.class).toString());
            case Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP -> JSON.textNode("timestamptz".equals(typeName)
                    ? rs.getObject(col, java.time.OffsetDateTime.class).toString()
                    : rs.getObject(col, java.time.LocalDateTime.class).toString());
            default -> JSON.textNode(rs.getString(col));
        };
    }

    private static ObjectNode updated(int count) {
        ObjectNode result = JSON.objectNode();
        result.putArray("rows");
        result.put("truncated", false);
        result.put("updated", count);
        return result;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool will discard it.
        }
    }

    private CallResult timedOut(ToolCall call) {
        return new CallResult.Failure(Refusals.databaseFailure(database, 504, "db-timeout", "db_timeout",
                "did not answer within the call's " + Duration.between(call.receivedAt(), call.deadline()).toMillis()
                        + " ms; the query was cancelled", null));
    }

    @Override
    public Reachability probe() {
        return probe.get();
    }
}
