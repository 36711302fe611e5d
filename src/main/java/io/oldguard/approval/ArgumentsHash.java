package io.oldguard.approval;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hash an approval is bound to: SHA-256 over the agent, the tool and the arguments in canonical form. Keys are
 * sorted at every level and numbers written by value ({@code 45}, {@code 45.0} and {@code 4.5e1} are one number),
 * so key order and number formatting do not matter; any other difference — a string {@code "45"} for a number, one
 * more parameter, another value — does.
 */
public final class ArgumentsHash {

    private ArgumentsHash() {
    }

    public static String of(String agent, String tool, JsonNode arguments) {
        String bound = agent + '\n' + tool + '\n' + canonical(arguments);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bound.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    static String canonical(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(JsonNode value, StringBuilder out) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            out.append("null");
        } else if (value.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                sorted.put(member.getKey(), member.getValue());
            }
            out.append('{');
            sorted.forEach((key, member) -> {
                if (out.charAt(out.length() - 1) != '{') {
                    out.append(',');
                }
                string(key, out);
                out.append(':');
                write(member, out);
            });
            out.append('}');
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(value.get(i), out);
            }
            out.append(']');
        } else if (value.isNumber()) {
            BigDecimal number = value.decimalValue();
            out.append(number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString());
        } else if (value.isBoolean()) {
            out.append(value.booleanValue());
        } else {
            string(value.asText(), out);
        }
    }

    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
