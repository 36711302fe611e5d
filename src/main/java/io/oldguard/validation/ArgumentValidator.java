package io.oldguard.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.ParamType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a call's JSON arguments against a {@link ToolContract} and reports every violation, not only the
 * first, each with a sentence a model can act on.
 *
 * <p>Hibernate Validator checks the policy model (annotated records) but is not the engine here: its
 * constraints attach to Java types and properties known at compile time, while tool arguments are JSON trees
 * whose rules are read from a WSDL and policy files at run time. A direct walk over the precompiled contract
 * is simpler, allocation-light and reports in the agent's terms (parameter names, JSON types).
 */
public final class ArgumentValidator {

    private static final int SHOWN_CHARS = 64;
    private static final String REDACTED = "[redacted]";

    private ArgumentValidator() {
    }

    public static List<Violation> validate(ToolContract contract, ObjectNode arguments) {
        List<Violation> violations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = arguments.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (contract.param(name) == null) {
                String expected = "one of the parameters " + String.join(", ",
                        contract.params().stream().map(ParamContract::name).toList());
                violations.add(new Violation(truncate(name), null, "unknown", expected,
                        "There is no parameter \"" + truncate(name) + "\"; expected " + expected + "."));
            }
        }
        for (ParamContract p : contract.params()) {
            JsonNode value = arguments.get(p.name());
            if (value == null || value.isNull()) {
                if (p.required()) {
                    violations.add(new Violation(p.name(), null, "required", expectation(p),
                            p.name() + " is required and must be " + expectation(p) + "; you sent no " + p.name() + "."));
                }
            } else if (p.repeated()) {
                if (!value.isArray()) {
                    violations.add(violation(p, p.name(), value, "type", "an array of " + expectation(p)));
                } else {
                    for (int i = 0; i < value.size(); i++) {
                        checkValue(p, p.name() + "[" + i + "]", value.get(i), violations);
                    }
                }
            } else {
                checkValue(p, p.name(), value, violations);
            }
        }
        return violations;
    }

    private static void checkValue(ParamContract p, String path, JsonNode value, List<Violation> out) {
        switch (p.type()) {
            case INTEGER -> checkNumber(p, path, value, true, out);
            case NUMBER -> checkNumber(p, path, value, false, out);
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    out.add(violation(p, path, value, "type", "true or false"));
                }
            }
            case STRING, DATE, DATE_TIME -> checkString(p, path, value, out);
        }
    }

    private static void checkNumber(ParamContract p, String path, JsonNode value, boolean integer, List<Violation> out) {
        if (!value.isNumber() || (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue()))) {
            out.add(violation(p, path, value, "type", expectation(p)));
            return;
        }
        BigDecimal number = value.decimalValue();
        if (integer && number.stripTrailingZeros().scale() > 0) {
            out.add(violation(p, path, value, "type", expectation(p)));
            return;
        }
        if (p.minimum() != null && below(number, p.minimum(), p.minimumExclusive())) {
            out.add(violation(p, path, value, "minimum", expectation(p)));
        } else if (p.maximum() != null && below(p.maximum(), number, p.maximumExclusive())) {
            out.add(violation(p, path, value, "maximum", expectation(p)));
        }
        if (!p.enumeration().isEmpty() && p.enumeration().stream().noneMatch(e -> new BigDecimal(e).compareTo(number) == 0)) {
            out.add(violation(p, path, value, "enum", expectation(p)));
        }
    }

    private static void checkString(ParamContract p, String path, JsonNode value, List<Violation> out) {
        if (!value.isTextual()) {
            out.add(violation(p, path, value, "type", expectation(p)));
            return;
        }
        String text = value.textValue();
        if (!xmlCharacters(text)) {
            out.add(violation(p, path, value, "characters", "text without control characters"));
            return;
        }
        int length = text.codePointCount(0, text.length());
        if (p.minLength() != null && length < p.minLength()) {
            out.add(violation(p, path, value, "minLength", "at least " + p.minLength() + " characters long"));
        }
        if (p.maxLength() != null && length > p.maxLength()) {
            out.add(violation(p, path, value, "maxLength", "at most " + p.maxLength() + " characters long"));
        }
        if (!p.enumeration().isEmpty() && !p.enumeration().contains(text)) {
            out.add(violation(p, path, value, "enum", expectation(p)));
        }
        if (p.type() != ParamType.STRING && !validDate(p.type(), text)) {
            out.add(violation(p, path, value, "format", expectation(p)));
        }
        // A value already too long is not matched: the length rule bounds the work a pattern may do.
        if (p.maxLength() != null && length > p.maxLength()) {
            return;
        }
        for (ParamContract.RulePattern pattern : p.patterns()) {
            if (!pattern.matcher().matcher(text).find()) {
                out.add(violation(p, path, value, "pattern", "a string matching " + pattern.shown()));
            }
        }
    }

    /** What the parameter accepts, in words: "an integer from 1 to 9999999", "one of TOOLS, GARDEN". */
    static String expectation(ParamContract p) {
        if (!p.enumeration().isEmpty()) {
            return "one of " + String.join(", ", p.enumeration());
        }
        return switch (p.type()) {
            case INTEGER -> "an integer" + range(p);
            case NUMBER -> "a number" + range(p);
            case BOOLEAN -> "true or false";
            case DATE -> "a date as YYYY-MM-DD";
            case DATE_TIME -> "a date-time as YYYY-MM-DDThh:mm:ss with an offset";
            case STRING -> "a string" + lengths(p)
                    + (p.patterns().isEmpty() ? "" : " matching " + String.join(" and ",
                            p.patterns().stream().map(ParamContract.RulePattern::shown).toList()));
        };
    }

    /** Whether {@code value} falls short of {@code bound}: below it, or on it when the bound is exclusive. */
    private static boolean below(BigDecimal value, BigDecimal bound, boolean exclusive) {
        int c = value.compareTo(bound);
        return c < 0 || (c == 0 && exclusive);
    }

    private static String range(ParamContract p) {
        String lower = p.minimum() == null ? null
                : (p.minimumExclusive() ? "greater than " : "at least ") + p.minimum().toPlainString();
        String upper = p.maximum() == null ? null
                : (p.maximumExclusive() ? "less than " : "at most ") + p.maximum().toPlainString();
        if (lower != null && upper != null) {
            return p.minimumExclusive() || p.maximumExclusive() ? " " + lower + " and " + upper
                    : " from " + p.minimum().toPlainString() + " to " + p.maximum().toPlainString();
        }
        if (lower != null) {
            return p.minimumExclusive() ? " " + lower : " of " + lower;
        }
        return upper == null ? "" : p.maximumExclusive() ? " " + upper : " of " + upper;
    }

    private static String lengths(ParamContract p) {
        if (p.minLength() != null && p.maxLength() != null) {
            return " of " + p.minLength() + " to " + p.maxLength() + " characters";
        }
        if (p.maxLength() != null) {
            return " of at most " + p.maxLength() + " characters";
        }
        return p.minLength() != null ? " of at least " + p.minLength() + " characters" : "";
    }

    private static Violation violation(ParamContract p, String path, JsonNode value, String rule, String expected) {
        String shown = p.sensitive() ? REDACTED : shown(value);
        String sent = p.sensitive() ? "a value that was not accepted (redacted)" : describe(value);
        return new Violation(path, shown, rule, expected, path + " must be " + expected + "; you sent " + sent + ".");
    }

    private static String describe(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "the string \"" + truncate(value.textValue()) + "\"";
            case NUMBER -> "the number " + truncate(value.asText());
            case BOOLEAN -> value.asText();
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "null";
        };
    }

    private static String shown(JsonNode value) {
        return truncate(value.isTextual() ? value.textValue() : value.toString());
    }

    private static String truncate(String text) {
        return text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "…";
    }

    private static boolean validDate(ParamType type, String text) {
        try {
            if (type == ParamType.DATE) {
                LocalDate.parse(text);
            } else {
                OffsetDateTime.parse(text);
            }
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** XML 1.0 cannot carry most control characters; refusing them here keeps the envelope well-formed. */
    private static boolean xmlCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF) {
                return false;
            }
        }
        return true;
    }
}
