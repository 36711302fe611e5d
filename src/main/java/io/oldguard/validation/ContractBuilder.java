package io.oldguard.validation;

import io.oldguard.catalog.Facets;
import io.oldguard.catalog.ParamType;
import io.oldguard.catalog.Parameter;
import io.oldguard.catalog.Tool;
import io.oldguard.catalog.ToolSchemas;
import io.oldguard.catalog.XsdPatterns;
import io.oldguard.policy.ParamRule;
import io.oldguard.policy.ToolPolicy;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.PatternSyntaxException;

/**
 * Merges a tool's XSD facets with its policy into a {@link ToolContract}, refusing any policy rule that would
 * loosen the contract: a policy may raise a minimum, lower a maximum or length, narrow an enumeration, add a
 * pattern (patterns are and-ed with the XSD's, so they can only tighten) or make a parameter required — never
 * the reverse. Problems are reported as (key, message) so the caller can name its file.
 */
public final class ContractBuilder {

    private ContractBuilder() {
    }

    public static ToolContract build(Tool tool, ToolPolicy policy, BiConsumer<String, String> problems) {
        String toolKey = "tools." + tool.name();
        policy.params().keySet().stream().filter(name -> tool.parameter(name) == null).forEach(name ->
                problems.accept(toolKey + ".params." + name, "no such parameter of " + tool.name() + " (expected one of: "
                        + String.join(", ", tool.parameters().stream().map(Parameter::name).toList()) + ")"));
        if (policy.coolOff() != null && (policy.coolOff().isZero() || policy.coolOff().isNegative())) {
            problems.accept(toolKey + ".coolOff", "must be longer than 0ms");
        }
        if (policy.strikes() != null && policy.strikes().window() != null && policy.strikes().window().isZero()) {
            problems.accept(toolKey + ".strikes.window", "must be longer than 0ms");
        }
        List<ParamContract> params = new ArrayList<>();
        for (Parameter p : tool.parameters()) {
            ParamRule rule = policy.params().getOrDefault(p.name(), ParamRule.NONE);
            params.add(merge(p, rule, policy, toolKey + ".params." + p.name(), problems));
        }
        ToolContract withoutSchema = new ToolContract(tool, params, policy.onViolation(), policy.strikes(),
                policy.coolOff(), null, null);
        return new ToolContract(tool, params, policy.onViolation(), policy.strikes(), policy.coolOff(),
                ContractSchemas.inputSchema(withoutSchema), ToolSchemas.outputSchema(tool));
    }

    private static ParamContract merge(Parameter p, ParamRule rule, ToolPolicy policy, String key,
            BiConsumer<String, String> problems) {
        Facets xsd = p.facets();
        boolean numeric = p.type() == ParamType.INTEGER || p.type() == ParamType.NUMBER;
        boolean textual = p.type() == ParamType.STRING || p.type() == ParamType.DATE || p.type() == ParamType.DATE_TIME;

        BigDecimal minimum = xsd.minimum();
        boolean minimumExclusive = xsd.minimumExclusive();
        BigDecimal maximum = xsd.maximum();
        boolean maximumExclusive = xsd.maximumExclusive();
        if (rule.minimum() != null || rule.maximum() != null) {
            if (!numeric) {
                problems.accept(key, "minimum/maximum apply to numbers; " + p.name() + " is a " + p.type().jsonType());
            } else {
                BigDecimal min = tighterBound(p, rule.minimum(), xsd.minimum(), xsd.minimumExclusive(), true,
                        key + ".minimum", problems);
                if (min != null) {
                    minimum = min;
                    minimumExclusive = false;
                }
                BigDecimal max = tighterBound(p, rule.maximum(), xsd.maximum(), xsd.maximumExclusive(), false,
                        key + ".maximum", problems);
                if (max != null) {
                    maximum = max;
                    maximumExclusive = false;
                }
            }
        }
        if (minimum != null && maximum != null && minimum.compareTo(maximum) > 0) {
            problems.accept(key, "minimum " + minimum.toPlainString() + " is greater than maximum "
                    + maximum.toPlainString() + ": no value could pass");
        } else if (minimum != null && maximum != null && minimum.compareTo(maximum) == 0
                && (minimumExclusive || maximumExclusive)) {
            problems.accept(key, "minimum and maximum are both " + minimum.toPlainString()
                    + " and one of them is exclusive: no value could pass");
        }

        Integer minLength = xsd.minLength();
        Integer maxLength = xsd.maxLength();
        if (rule.minLength() != null || rule.maxLength() != null) {
            if (!textual) {
                problems.accept(key, "minLength/maxLength apply to strings; " + p.name() + " is a " + p.type().jsonType());
            } else {
                if (rule.maxLength() != null) {
                    if (xsd.maxLength() != null && rule.maxLength() > xsd.maxLength()) {
                        problems.accept(key + ".maxLength", "loosens the XSD's maxLength " + xsd.maxLength() + " (a policy may only tighten)");
                    } else {
                        maxLength = rule.maxLength();
                    }
                }
                if (rule.minLength() != null) {
                    if (xsd.minLength() != null && rule.minLength() < xsd.minLength()) {
                        problems.accept(key + ".minLength", "loosens the XSD's minLength " + xsd.minLength() + " (a policy may only tighten)");
                    } else {
                        minLength = rule.minLength();
                    }
                }
            }
        }

        List<ParamContract.RulePattern> patterns = new ArrayList<>();
        for (String xsdPattern : xsd.patterns()) {
            compile(XsdPatterns.toEcma(xsdPattern), key, "the WSDL's XSD pattern", problems, patterns);
        }
        if (rule.pattern() != null) {
            if (!textual) {
                problems.accept(key + ".pattern", "patterns apply to strings; " + p.name() + " is a " + p.type().jsonType());
            } else {
                compile(rule.pattern(), key + ".pattern", "the pattern", problems, patterns);
            }
        }

        List<String> enumeration = xsd.enumeration();
        if (rule.enumeration() != null) {
            List<String> outside = xsd.enumeration().isEmpty() ? List.of()
                    : rule.enumeration().stream().filter(v -> !xsd.enumeration().contains(v)).toList();
            if (p.type() == ParamType.BOOLEAN) {
                problems.accept(key + ".enum", "an enumeration does not apply to a boolean");
            } else if (!outside.isEmpty()) {
                problems.accept(key + ".enum", "loosens the XSD's enumeration: " + outside + " are not among "
                        + xsd.enumeration() + " (a policy may only tighten)");
            } else {
                enumeration = rule.enumeration();
            }
        }

        boolean required = p.required();
        if (Boolean.FALSE.equals(rule.required()) && p.required()) {
            problems.accept(key + ".required", "loosens the XSD: " + p.name() + " is required (minOccurs 1) and cannot be made optional");
        } else if (Boolean.TRUE.equals(rule.required())) {
            required = true;
        }
        return new ParamContract(p.name(), p.type(), required, p.repeated(), minimum, minimumExclusive, maximum,
                maximumExclusive, minLength, maxLength,
                patterns, enumeration, rule.isSensitive(),
                rule.onViolation() != null ? rule.onViolation() : policy.onViolation(), p.description());
    }

    /**
     * The policy's bound where it tightens the XSD's; null where it is refused, or where it only restates an
     * exclusive XSD bound (a policy minimum of 0 on {@code minExclusive 0}): that one stays, exclusive.
     */
    private static BigDecimal tighterBound(Parameter p, BigDecimal policy, BigDecimal xsd, boolean xsdExclusive,
            boolean lower, String key, BiConsumer<String, String> problems) {
        if (policy == null) {
            return null;
        }
        if (p.type() == ParamType.INTEGER && policy.stripTrailingZeros().scale() > 0) {
            problems.accept(key, "must be a whole number for the integer " + p.name() + " (got " + policy.toPlainString() + ")");
            return null;
        }
        if (xsd == null) {
            return policy;
        }
        int c = policy.compareTo(xsd);
        if (lower ? c < 0 : c > 0) {
            problems.accept(key, "loosens the XSD's " + (xsdExclusive ? "exclusive " : "") + (lower ? "minimum " : "maximum ")
                    + xsd.toPlainString() + " with " + policy.toPlainString() + " (a policy may only tighten)");
            return null;
        }
        return c == 0 && xsdExclusive ? null : policy;
    }

    private static void compile(String regex, String key, String what, BiConsumer<String, String> problems,
            List<ParamContract.RulePattern> into) {
        try {
            into.add(ParamContract.RulePattern.compile(regex));
        } catch (PatternSyntaxException e) {
            problems.accept(key, what + " \"" + regex + "\" does not compile: " + e.getDescription()
                    + " (expected a Java regular expression)");
        }
    }
}
