package io.oldguard.approval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.ParamType;
import io.oldguard.catalog.Parameter;
import io.oldguard.catalog.Tool;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A policy's {@code approval:} for one tool: which calls a human must approve first, and how long a request and
 * an approval stay good. Without {@code when}, every call of the tool needs approval; with it, a call needs
 * approval when any one of its conditions holds ({@code Quantity: { minimum: 20 }}: 20 units or more).
 *
 * @param when conditions per parameter; empty: every call
 * @param ttl  how long a request waits for a decision, and an approval for its call (default 15 minutes)
 */
public record ApprovalRule(Map<String, @Valid Condition> when, Duration ttl) {

    static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    /** A held call is a human's to-do: a day is the longest one should wait before the agent asks again. */
    static final Duration MAX_TTL = Duration.ofHours(24);

    /**
     * One parameter's condition: any of its members that is set and holds makes the call need approval.
     *
     * @param minimum the value is at least this
     * @param maximum the value is at most this
     * @param enumeration the value is one of these
     */
    public record Condition(BigDecimal minimum, BigDecimal maximum,
            @JsonProperty("enum") @Size(min = 1) List<String> enumeration) {

        public Condition {
            enumeration = enumeration == null ? null : List.copyOf(enumeration);
        }

        boolean holdsFor(JsonNode value) {
            if (value == null || value.isNull() || value.isMissingNode()) {
                return false;
            }
            if (enumeration != null && enumeration.contains(value.asText())) {
                return true;
            }
            BigDecimal number = numberOf(value);
            return number != null && ((minimum != null && number.compareTo(minimum) >= 0)
                    || (maximum != null && number.compareTo(maximum) <= 0));
        }

        private static BigDecimal numberOf(JsonNode value) {
            if (value.isNumber()) {
                return value.decimalValue();
            }
            try {
                return value.isTextual() ? new BigDecimal(value.textValue().trim()) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    public ApprovalRule {
        Map<String, Condition> copy = new LinkedHashMap<>();
        if (when != null) {
            when.forEach(copy::put);
        }
        when = Collections.unmodifiableMap(copy);
        ttl = ttl == null ? DEFAULT_TTL : ttl;
    }

    /** Whether this call, its arguments already valid, must wait for a human. */
    public boolean requires(ObjectNode arguments) {
        return when.isEmpty() || when.entrySet().stream()
                .anyMatch(e -> e.getValue() != null && e.getValue().holdsFor(arguments.get(e.getKey())));
    }

    /**
     * The checks no annotation can make: every condition names a parameter of the tool, says something, and a
     * bound is on a number.
     *
     * @param key the rule's key ({@code tools.ReserveStock.approval}), for the problems' paths
     */
    public void check(Tool tool, String key, BiConsumer<String, String> problems) {
        if (ttl.isZero() || ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
            problems.accept(key + ".ttl", "must be longer than 0ms and at most 24h (got " + ttl + ")");
        }
        when.forEach((param, condition) -> {
            String at = key + ".when." + param;
            Parameter parameter = tool.parameter(param);
            if (parameter == null) {
                problems.accept(at, "no such parameter of " + tool.name() + " (expected one of: "
                        + String.join(", ", tool.parameters().stream().map(Parameter::name).toList()) + ")");
            } else if (condition == null || (condition.minimum() == null && condition.maximum() == null
                    && condition.enumeration() == null)) {
                problems.accept(at, "empty (expected minimum, maximum or enum)");
            } else if ((condition.minimum() != null || condition.maximum() != null)
                    && parameter.type() != ParamType.INTEGER && parameter.type() != ParamType.NUMBER) {
                problems.accept(at, "minimum and maximum need a number, but " + param + " is a "
                        + parameter.type().jsonType() + " (expected enum)");
            }
        });
    }
}
