package io.oldguard.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;

/**
 * A policy's rules for one parameter. Every rule may only tighten what the WSDL's XSD allows; the loader
 * refuses one that would loosen it (checked against the catalogue, which annotations cannot see).
 *
 * @param pattern     a Java regular expression the value must contain a match of (anchor it with ^…$)
 * @param required    true makes an optional parameter required; false on a required one is refused
 * @param sensitive   the rejected value is never echoed in errors or logs
 * @param onViolation overrides the tool's action for this parameter
 */
public record ParamRule(
        String pattern,
        BigDecimal minimum,
        BigDecimal maximum,
        @JsonProperty("enum") @Size(min = 1) List<String> enumeration,
        @PositiveOrZero Integer minLength,
        @Positive Integer maxLength,
        Boolean required,
        Boolean sensitive,
        ViolationAction onViolation) {

    public ParamRule {
        enumeration = enumeration == null ? null : List.copyOf(enumeration);
    }

    public static final ParamRule NONE = new ParamRule(null, null, null, null, null, null, null, null, null);

    public boolean isSensitive() {
        return Boolean.TRUE.equals(sensitive);
    }
}
