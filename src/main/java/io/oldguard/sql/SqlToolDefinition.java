package io.oldguard.sql;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A SQL tool as written under {@code sqlTools:} in a policy file.
 *
 * @param sql      the statement, with named parameters such as {@code :item_id}
 * @param database the database in {@code sidecar.yaml}; may be left out when there is only one
 * @param readOnly run in a read-only transaction (default true)
 * @param maxRows  rows returned at most; more are cut and the result flagged {@code truncated}
 * @param timeout  the tool's deadline (default: the database's statement timeout)
 */
public record SqlToolDefinition(
        @NotBlank String description,
        @NotBlank String sql,
        String database,
        Map<String, @Valid SqlParam> params,
        Boolean readOnly,
        @Min(1) @Max(10_000) Integer maxRows,
        Duration timeout) {

    public SqlToolDefinition {
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        readOnly = readOnly == null ? Boolean.TRUE : readOnly;
        maxRows = maxRows == null ? Integer.valueOf(100) : maxRows;
    }
}
