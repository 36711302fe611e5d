package io.oldguard.passthrough;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.Parameter;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Turns a parameter element's text into the JSON value the validator checks. Only the canonical form of a
 * number or boolean becomes one ({@code 42}, {@code -7}, {@code 2.50}, {@code true}): the original text is what
 * the service receives, and a 2008 service may read {@code " 42 "}, {@code +42} or {@code 1} differently from the
 * XSD (or fail on them). Anything else stays the string it was, so the validator reports the wrong type exactly as
 * it does for a JSON call. Text is never trimmed.
 */
final class ParamValues {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Jackson's own cap on a JSON number's length; a longer one is read as text, never parsed. */
    private static final int MAX_NUMBER_LENGTH = 1000;

    private ParamValues() {
    }

    /**
     * @param parameter the tool's parameter of that name, or null for an element the operation does not have
     * @param text      the element's text, or null when it had child elements (never a valid simple value)
     */
    static void add(ObjectNode arguments, Parameter parameter, String name, String text) {
        JsonNode value = text == null ? NODES.objectNode() : typed(parameter, text);
        JsonNode present = arguments.get(name);
        boolean repeated = parameter != null && parameter.repeated();
        if (present == null) {
            arguments.set(name, repeated ? NODES.arrayNode().add(value) : value);
        } else if (present instanceof ArrayNode array) {
            array.add(value);
        } else {
            // A single-valued parameter sent twice: an array, which the validator refuses as the wrong type.
            arguments.set(name, NODES.arrayNode().add(present).add(value));
        }
    }

    private static JsonNode typed(Parameter parameter, String text) {
        if (parameter == null || text.length() > MAX_NUMBER_LENGTH) {
            return NODES.textNode(text);
        }
        return switch (parameter.type()) {
            case INTEGER -> isInteger(text) ? NODES.numberNode(new BigInteger(text)) : NODES.textNode(text);
            case NUMBER -> isDecimal(text) ? NODES.numberNode(new BigDecimal(text)) : NODES.textNode(text);
            case BOOLEAN -> switch (text) {
                case "true" -> NODES.booleanNode(true);
                case "false" -> NODES.booleanNode(false);
                default -> NODES.textNode(text);
            };
            case STRING, DATE, DATE_TIME -> NODES.textNode(text);
        };
    }

    /** {@code -?[0-9]+}, checked by hand: a regular expression's matcher cost more than the rest of the value. */
    static boolean isInteger(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        return text.length() > start && digits(text, start) == text.length();
    }

    /** {@code -?[0-9]+(\.[0-9]+)?}. */
    static boolean isDecimal(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        int end = digits(text, start);
        if (end == start) {
            return false;
        }
        if (end == text.length()) {
            return true;
        }
        if (text.charAt(end) != '.') {
            return false;
        }
        int fraction = digits(text, end + 1);
        return fraction > end + 1 && fraction == text.length();
    }

    /** The index of the first character at or after {@code from} that is not an ASCII digit. */
    private static int digits(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i;
    }
}
