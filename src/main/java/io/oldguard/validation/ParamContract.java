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
 * @param minimumExclusive the minimum itself is refused (an XSD {@code minExclusive} on a decimal)
 * @param maximumExclusive the maximum itself is refused
 * @param patterns    each must find a match; XSD patterns arrive anchored, policy patterns as written
 * @param onViolation what violating this parameter does (the parameter's own, else the tool's)
 */
public record ParamContract(
        String name,
        ParamType type,
        boolean required,
        boolean repeated,
        BigDecimal minimum,
        boolean minimumExclusive,
        BigDecimal maximum,
        boolean maximumExclusive,
        Integer minLength,
        Integer maxLength,
        List<RulePattern> patterns,
        List<String> enumeration,
        boolean sensitive,
        ViolationAction onViolation,
        String description) {

    /**
     * A pattern as the model is shown it (ECMA-262, as JSON Schema reads it) and as Java matches it. They differ in
     * one place: a final {@code $} becomes {@code \z}, because Java's {@code $} also matches before a trailing
     * line break, so "PO-123456\n" would pass a rule the schema says it fails.
     */
    public record RulePattern(String shown, Pattern matcher) {

        static RulePattern compile(String regex) {
            // Compiled as written first: a broken pattern is reported as the author wrote it, not as rewritten
            // ("^PO-[0-9{6}$" is an unclosed class, not an "illegal escape" in "^PO-[0-9{6}\z").
            Pattern asWritten = Pattern.compile(regex);
            boolean endsWithAnchor = regex.endsWith("$") && !regex.endsWith("\\$");
            return new RulePattern(regex, endsWithAnchor
                    ? Pattern.compile(regex.substring(0, regex.length() - 1) + "\\z") : asWritten);
        }
    }

    public ParamContract {
        patterns = List.copyOf(patterns);
        enumeration = List.copyOf(enumeration);
    }
}
