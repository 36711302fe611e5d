package io.oldguard.sql;

import io.oldguard.catalog.Field;
import io.oldguard.catalog.ParamType;
import io.oldguard.catalog.SqlQuery;
import io.oldguard.catalog.Tool;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Checks SQL tools against the database they run on, before any agent can call them: the statement must parse
 * (PostgreSQL describes it without running it) and each placeholder's type, as the database infers it, must fit
 * the declared parameter type. The result columns it learns become the tool's result schema.
 */
public interface SqlVerifier {

    /** Returns the tool with its result columns, reporting problems as (key, message). */
    Tool verify(Tool tool, Map<String, SqlType> declared, BiConsumer<String, String> problems);

    /** No database at hand (plain {@code oldguard check}): tools stay as declared. */
    SqlVerifier NONE = (tool, declared, problems) -> tool;

    /**
     * Checks against live connections; {@code connections} opens one for a database name.
     *
     * @param unreachable told when a database cannot be reached: {@code check --db} makes it a problem, a
     *                    starting sidecar logs it and serves the tools unverified until the database is back
     */
    static SqlVerifier using(Connections connections, BiConsumer<String, String> unreachable) {
        return (tool, declared, problems) -> {
            SqlQuery query = (SqlQuery) tool.binding();
            String key = "sqlTools." + tool.name();
            Connection c;
            try {
                c = connections.open(query.database());
            } catch (SQLException e) {
                unreachable.accept(key, "database " + query.database() + " cannot be used to check the statement ("
                        + DatabaseFailure.of(e).describe() + ")");
                return tool;
            }
            try (c; PreparedStatement ps = c.prepareStatement(query.jdbcSql())) {
                ParameterMetaData params = ps.getParameterMetaData();
                for (int i = 0; i < query.placeholders().size(); i++) {
                    String name = query.placeholders().get(i);
                    SqlType type = declared.get(name);
                    int jdbcType = params.getParameterType(i + 1);
                    if (type != null && !type.fits(jdbcType)) {
                        problems.accept(key + ".params." + name + ".type", "declared " + type.label()
                                + ", but the database expects " + params.getParameterTypeName(i + 1) + " for :" + name);
                    }
                }
                ResultSetMetaData columns = ps.getMetaData();
                List<Field> fields = new ArrayList<>();
                for (int i = 1; columns != null && i <= columns.getColumnCount(); i++) {
                    fields.add(new Field(columns.getColumnLabel(i), jsonType(columns.getColumnType(i)), false, List.of()));
                }
                return new Tool(tool.name(), tool.description(), tool.backend(), tool.binding(), tool.parameters(),
                        SqlTools.resultShape(fields));
            } catch (SQLException e) {
                problems.accept(key + ".sql", "rejected by database " + query.database() + ": " + e.getMessage()
                        .replaceAll("\\s+", " "));
                return tool;
            }
        };
    }

    /** Opens a connection to a configured database. */
    @FunctionalInterface
    interface Connections {
        Connection open(String database) throws SQLException;
    }

    static ParamType jsonType(int jdbcType) {
        return switch (jdbcType) {
            case Types.INTEGER, Types.SMALLINT, Types.BIGINT, Types.TINYINT -> ParamType.INTEGER;
            case Types.NUMERIC, Types.DECIMAL, Types.DOUBLE, Types.REAL, Types.FLOAT -> ParamType.NUMBER;
            case Types.BOOLEAN, Types.BIT -> ParamType.BOOLEAN;
            case Types.DATE -> ParamType.DATE;
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> ParamType.DATE_TIME;
            default -> ParamType.STRING;
        };
    }
}
