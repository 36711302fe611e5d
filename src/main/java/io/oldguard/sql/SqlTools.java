package io.oldguard.sql;

import io.oldguard.catalog.Facets;
import io.oldguard.catalog.Field;
import io.oldguard.catalog.ParamType;
import io.oldguard.catalog.Parameter;
import io.oldguard.catalog.SqlQuery;
import io.oldguard.catalog.Tool;
import io.oldguard.policy.ParamRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Turns a policy's {@code sqlTools} definitions into catalogue {@link Tool}s: the statement parsed into JDBC
 * placeholders, each declared parameter typed with its type's implicit range, its rules kept for the contract
 * builder (so a SQL parameter is validated exactly like a SOAP one). Checked without a database: every
 * placeholder declared, every declaration used, the database known. {@link SqlVerifier} checks the rest.
 */
public final class SqlTools {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

    /** A SQL tool and the rules of its parameters. */
    public record Built(Tool tool, Map<String, ParamRule> rules) {
    }

    private SqlTools() {
    }

    public static Built build(String name, SqlToolDefinition def, Set<String> databases, BiConsumer<String, String> problems) {
        String key = "sqlTools." + name;
        if (!NAME.matcher(name).matches()) {
            problems.accept(key, "a tool name is a letter then letters, digits, _ or -, at most 64 characters");
        }
        String database = def.database();
        if (database == null) {
            if (databases.size() != 1) {
                problems.accept(key + ".database", databases.isEmpty()
                        ? "no databases are configured in sidecar.yaml (expected a databases: section)"
                        : "missing (expected one of: " + String.join(", ", databases) + ")");
            } else {
                database = databases.iterator().next();
            }
        } else if (!databases.contains(database)) {
            problems.accept(key + ".database", "no such database in sidecar.yaml (expected one of: " + String.join(", ", databases) + ")");
        }
        NamedParameters.Parsed parsed;
        try {
            if (def.sql() == null) {
                throw new IllegalArgumentException("missing (expected the statement, with :named parameters)");
            }
            parsed = NamedParameters.parse(def.sql());
        } catch (IllegalArgumentException e) {
            problems.accept(key + ".sql", e.getMessage());
            parsed = new NamedParameters.Parsed(def.sql() == null ? "" : def.sql(), List.of());
        }
        Set<String> used = new LinkedHashSet<>(parsed.placeholders());
        for (String placeholder : used) {
            if (!def.params().containsKey(placeholder)) {
                problems.accept(key + ".params", "the SQL uses :" + placeholder + " but no parameter " + placeholder + " is declared");
            }
        }
        List<Parameter> parameters = new ArrayList<>();
        Map<String, ParamRule> rules = new LinkedHashMap<>();
        Map<String, Integer> jdbcTypes = new LinkedHashMap<>();
        def.params().forEach((paramName, p) -> {
            if (p == null || p.type() == null) {
                problems.accept(key + ".params." + paramName + ".type", "missing (expected integer, bigint, numeric, text, enumeration, boolean or date)");
                return;
            }
            if (!used.contains(paramName)) {
                problems.accept(key + ".params." + paramName, "declared but the SQL never uses :" + paramName);
            }
            if (p.type() == SqlType.ENUMERATION && p.enumeration() == null) {
                problems.accept(key + ".params." + paramName + ".enum", "missing (an enumeration lists its values)");
            }
            Facets implicit = new Facets(p.type().minimum(), p.type().maximum(), null, null, List.of(), List.of());
            parameters.add(new Parameter(paramName, p.type().jsonType(), p.isRequired(), false, implicit, p.description()));
            rules.put(paramName, p.rule());
            jdbcTypes.put(paramName, p.type().bindAs());
        });
        SqlQuery query = new SqlQuery(database, parsed.jdbcSql(), parsed.placeholders(), jdbcTypes, def.readOnly(), def.maxRows());
        Tool tool = new Tool(name, def.description(), database, query, parameters, resultShape(List.of()));
        return new Built(tool, rules);
    }

    /** {@code {"rows": [ {column: value} ], "truncated": bool}}; columns are known once checked against the database. */
    static List<Field> resultShape(List<Field> columns) {
        return List.of(new Field("rows", null, true, columns), new Field("truncated", ParamType.BOOLEAN, false, List.of()));
    }
}
