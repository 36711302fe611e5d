package io.oldguard.catalog;

/**
 * XSD patterns are implicitly anchored (the whole value must match); JSON Schema and Java's {@code find} are
 * not. Every pattern leaves the catalogue anchored, so the model and the validator read the same rule.
 */
public final class XsdPatterns {

    private XsdPatterns() {
    }

    public static String toEcma(String xsdPattern) {
        return "^(?:" + xsdPattern + ")$";
    }
}
