package io.oldguard.sql;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.oldguard.policy.ParamRule;
import io.oldguard.policy.ViolationAction;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;

/**
 * A SQL tool parameter as a policy declares it: a type and the same rules as a SOAP parameter's. Parameters
 * are required unless {@code required: false}, in which case an absent one is bound as SQL NULL.
 */
public record SqlParam(
        @NotNull SqlType type,
        String description,
        String pattern,
        BigDecimal minimum,
        BigDecimal maximum,
        @JsonProperty("enum") @Size(min = 1) List<String> enumeration,
        @PositiveOrZero Integer minLength,
        @Positive Integer maxLength,
        Boolean required,
        Boolean sensitive,
        ViolationAction onViolation) {

    public boolean isRequired() {
        return !Boolean.FALSE.equals(required);
    }

    /** The rules, in the vocabulary the contract builder merges for every tool. */
    ParamRule rule() {
        return new ParamRule(pattern, minimum, maximum, enumeration, minLength, maxLength, null, sensitive, onViolation);
    }
}
