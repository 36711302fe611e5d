package io.oldguard.catalog;

import java.math.BigDecimal;
import java.util.List;

/**
 * The restrictions on one simple value, as XSD facets state them (XSD patterns kept in XSD syntax, which is
 * implicitly anchored). Null means "no such restriction". A bound is inclusive unless its {@code …Exclusive} flag
 * says otherwise ({@code xs:minExclusive} on a decimal: 0 itself is refused, 0.001 passes).
 */
public record Facets(
        BigDecimal minimum,
        BigDecimal maximum,
        Integer minLength,
        Integer maxLength,
        List<String> patterns,
        List<String> enumeration,
        boolean minimumExclusive,
        boolean maximumExclusive) {

    public static final Facets NONE = new Facets(null, null, null, null, List.of(), List.of());

    public Facets {
        patterns = patterns == null ? List.of() : List.copyOf(patterns);
        enumeration = enumeration == null ? List.of() : List.copyOf(enumeration);
    }

    /** With inclusive bounds. */
    public Facets(BigDecimal minimum, BigDecimal maximum, Integer minLength, Integer maxLength, List<String> patterns,
            List<String> enumeration) {
        this(minimum, maximum, minLength, maxLength, patterns, enumeration, false, false);
    }
}
