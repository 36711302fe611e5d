package io.oldguard.sql;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.oldguard.catalog.ParamType;
import java.math.BigDecimal;
import java.sql.Types;
import java.util.Locale;
import java.util.Set;

/**
 * The declared type of a SQL tool parameter: what JSON it accepts, its implicit range, how it is bound, and
 * which database parameter types it may fill (checked against the database at load).
 */
public enum SqlType {
    INTEGER(Types.INTEGER, ParamType.INTEGER, BigDecimal.valueOf(Integer.MIN_VALUE), BigDecimal.valueOf(Integer.MAX_VALUE),
            Set.of(Types.INTEGER, Types.SMALLINT)),
    BIGINT(Types.BIGINT, ParamType.INTEGER, BigDecimal.valueOf(Long.MIN_VALUE), BigDecimal.valueOf(Long.MAX_VALUE),
            Set.of(Types.BIGINT, Types.INTEGER, Types.SMALLINT)),
    NUMERIC(Types.NUMERIC, ParamType.NUMBER, null, null, Set.of(Types.NUMERIC, Types.DECIMAL, Types.DOUBLE, Types.REAL, Types.FLOAT)),
    TEXT(Types.VARCHAR, ParamType.STRING, null, null, Set.of(Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR)),
    /** Text restricted to the values of the parameter's {@code enum}. */
    ENUMERATION(Types.VARCHAR, ParamType.STRING, null, null, Set.of(Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR)),
    BOOLEAN(Types.BOOLEAN, ParamType.BOOLEAN, null, null, Set.of(Types.BOOLEAN, Types.BIT)),
    DATE(Types.DATE, ParamType.DATE, null, null, Set.of(Types.DATE));

    private final int bindAs;
    private final ParamType jsonType;
    private final BigDecimal minimum;
    private final BigDecimal maximum;
    private final Set<Integer> jdbcTypes;

    SqlType(int bindAs, ParamType jsonType, BigDecimal minimum, BigDecimal maximum, Set<Integer> jdbcTypes) {
        this.bindAs = bindAs;
        this.jsonType = jsonType;
        this.minimum = minimum;
        this.maximum = maximum;
        this.jdbcTypes = jdbcTypes;
    }

    @JsonCreator
    public static SqlType parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected integer, bigint, numeric, text, enumeration, boolean or date (got \""
                    + text + "\")");
        }
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The {@link Types} value is bound as. */
    int bindAs() {
        return bindAs;
    }

    ParamType jsonType() {
        return jsonType;
    }

    BigDecimal minimum() {
        return minimum;
    }

    BigDecimal maximum() {
        return maximum;
    }

    /** Whether a database parameter of this JDBC type can take a value of this declared type. */
    boolean fits(int jdbcType) {
        return jdbcTypes.contains(jdbcType);
    }
}
