package io.oldguard.validation;

import io.oldguard.catalog.ParamType;
import io.oldguard.policy.ViolationAction;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything one parameter must satisfy: the XSD's type and facets merged with the policy's tighter rules.
 * Built at load time with patterns compiled, so validating a call compiles nothing.
 *
 * @param patterns    each must find a match; XSD patterns arrive anchored, policy patterns as written
 * @param onViolation what violating this parameter does (the parameter's own, else the tool's)
 */
public record ParamContract(
        String name,
        ParamType type,
        boolean required,
        boolean repeated,
        BigDecimal minimum,
        BigDecimal maximum,
        Integer minLength,
        Integer maxLength,
        List<Pattern> patterns,
        List<String> enumeration,
        boolean sensitive,
        ViolationAction onViolation,
        String description) {

    public ParamContract {
        patterns = List.copyOf(patterns);
        enumeration = List.copyOf(enumeration);
    }
}
