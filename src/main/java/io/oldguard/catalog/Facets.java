package io.oldguard.catalog;

import java.math.BigDecimal;
import java.util.List;

/**
 * The restrictions on one simple value, as XSD facets state them (bounds inclusive; XSD patterns kept in XSD
 * syntax, which is implicitly anchored). Null means "no such restriction".
 */
public record Facets(
        BigDecimal minimum,
        BigDecimal maximum,
        Integer minLength,
        Integer maxLength,
        List<String> patterns,
        List<String> enumeration) {

    public static final Facets NONE = new Facets(null, null, null, null, List.of(), List.of());

    public Facets {
        patterns = patterns == null ? List.of() : List.copyOf(patterns);
        enumeration = enumeration == null ? List.of() : List.copyOf(enumeration);
    }
}
