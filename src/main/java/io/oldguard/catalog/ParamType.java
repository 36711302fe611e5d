package io.oldguard.catalog;

/** The JSON-facing type of a parameter or result field, derived from its XSD built-in base type. */
public enum ParamType {
    INTEGER("integer", null),
    NUMBER("number", null),
    STRING("string", null),
    BOOLEAN("boolean", null),
    DATE("string", "date"),
    DATE_TIME("string", "date-time");

    private final String jsonType;
    private final String format;

    ParamType(String jsonType, String format) {
        this.jsonType = jsonType;
        this.format = format;
    }

    public String jsonType() {
        return jsonType;
    }

    /** JSON Schema {@code format}, or null. */
    public String format() {
        return format;
    }
}
