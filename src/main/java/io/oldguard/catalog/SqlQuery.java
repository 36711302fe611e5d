package io.oldguard.catalog;

import java.util.List;
import java.util.Map;

/**
 * A SQL tool's statement, parsed once at load: the JDBC text with {@code ?} placeholders and which named
 * parameter fills each one, in order (a name used twice fills two placeholders). Values are always bound as
 * typed JDBC parameters, never written into the text.
 *
 * @param jdbcTypes the {@link java.sql.Types} each named parameter is bound as
 */
public record SqlQuery(String database, String jdbcSql, List<String> placeholders, Map<String, Integer> jdbcTypes,
        boolean readOnly, int maxRows) implements ToolBinding {

    public SqlQuery {
        placeholders = List.copyOf(placeholders);
        jdbcTypes = Map.copyOf(jdbcTypes);
    }
}
