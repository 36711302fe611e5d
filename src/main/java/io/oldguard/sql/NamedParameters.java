package io.oldguard.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code :name} parameters into JDBC {@code ?} placeholders, once at load. It skips string literals,
 * quoted identifiers, comments and {@code ::} casts, so {@code ':x'} or {@code a::int} are left alone.
 */
final class NamedParameters {

    record Parsed(String jdbcSql, List<String> placeholders) {
    }

    private NamedParameters() {
    }

    static Parsed parse(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = closing(sql, i, c);
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? sql.length() : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated /* comment");
                }
                out.append(sql, i, end + 2);
                i = end + 2;
            } else if (c == ':' && sql.startsWith("::", i)) {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < sql.length() && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                names.add(sql.substring(i + 1, end));
                out.append('?');
                i = end;
            } else if (c == '?') {
                throw new IllegalArgumentException("use named parameters (:name), not ?");
            } else {
                out.append(c);
                i++;
            }
        }
        return new Parsed(out.toString(), names);
    }

    private static int closing(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unterminated " + (quote == '\'' ? "string literal" : "quoted identifier"));
    }
}
