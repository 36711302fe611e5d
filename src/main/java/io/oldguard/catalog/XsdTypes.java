package io.oldguard.catalog;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import org.apache.ws.commons.schema.XmlSchemaCollection;
import org.apache.ws.commons.schema.XmlSchemaEnumerationFacet;
import org.apache.ws.commons.schema.XmlSchemaFacet;
import org.apache.ws.commons.schema.XmlSchemaLengthFacet;
import org.apache.ws.commons.schema.XmlSchemaMaxExclusiveFacet;
import org.apache.ws.commons.schema.XmlSchemaMaxInclusiveFacet;
import org.apache.ws.commons.schema.XmlSchemaMaxLengthFacet;
import org.apache.ws.commons.schema.XmlSchemaMinExclusiveFacet;
import org.apache.ws.commons.schema.XmlSchemaMinInclusiveFacet;
import org.apache.ws.commons.schema.XmlSchemaMinLengthFacet;
import org.apache.ws.commons.schema.XmlSchemaPatternFacet;
import org.apache.ws.commons.schema.XmlSchemaSimpleType;
import org.apache.ws.commons.schema.XmlSchemaSimpleTypeRestriction;
import org.apache.ws.commons.schema.XmlSchemaType;

/**
 * Resolves an XSD simple type to a {@link ParamType} and the {@link Facets} of its whole derivation chain:
 * the facets of each restriction step are merged, the tightest winning, and the built-in base adds its own
 * implicit range ({@code xs:int} is -2147483648..2147483647), so a schema never promises more than the
 * legacy service can hold.
 */
final class XsdTypes {

    private record Builtin(ParamType type, BigDecimal min, BigDecimal max) {
    }

    private static final Map<String, Builtin> BUILTINS = Map.ofEntries(
            Map.entry("int", range(Integer.MIN_VALUE, Integer.MAX_VALUE)),
            Map.entry("long", range(Long.MIN_VALUE, Long.MAX_VALUE)),
            Map.entry("short", range(Short.MIN_VALUE, Short.MAX_VALUE)),
            Map.entry("byte", range(Byte.MIN_VALUE, Byte.MAX_VALUE)),
            Map.entry("integer", new Builtin(ParamType.INTEGER, null, null)),
            Map.entry("positiveInteger", new Builtin(ParamType.INTEGER, BigDecimal.ONE, null)),
            Map.entry("nonNegativeInteger", new Builtin(ParamType.INTEGER, BigDecimal.ZERO, null)),
            Map.entry("negativeInteger", new Builtin(ParamType.INTEGER, null, BigDecimal.ONE.negate())),
            Map.entry("nonPositiveInteger", new Builtin(ParamType.INTEGER, null, BigDecimal.ZERO)),
            Map.entry("unsignedInt", range(0, 4_294_967_295L)),
            Map.entry("unsignedShort", range(0, 65_535)),
            Map.entry("unsignedByte", range(0, 255)),
            Map.entry("decimal", new Builtin(ParamType.NUMBER, null, null)),
            Map.entry("double", new Builtin(ParamType.NUMBER, null, null)),
            Map.entry("float", new Builtin(ParamType.NUMBER, null, null)),
            Map.entry("boolean", new Builtin(ParamType.BOOLEAN, null, null)),
            Map.entry("date", new Builtin(ParamType.DATE, null, null)),
            Map.entry("dateTime", new Builtin(ParamType.DATE_TIME, null, null)));

    private final XmlSchemaCollection schemas;

    XsdTypes(XmlSchemaCollection schemas) {
        this.schemas = schemas;
    }

    record Resolved(ParamType type, Facets facets) {
    }

    /** Resolves a named type; returns null if the name is not a simple type. */
    Resolved resolve(QName typeName) {
        return resolve(typeName, null, new FacetsBuilder());
    }

    Resolved resolve(XmlSchemaSimpleType type) {
        return resolve(type.getQName(), type, new FacetsBuilder());
    }

    private Resolved resolve(QName name, XmlSchemaType inline, FacetsBuilder facets) {
        if (inline == null && name != null && XMLConstants.W3C_XML_SCHEMA_NS_URI.equals(name.getNamespaceURI())) {
            Builtin builtin = BUILTINS.get(name.getLocalPart());
            ParamType type = builtin == null ? ParamType.STRING : builtin.type();
            if (builtin != null) {
                facets.minimum(builtin.min(), false);
                facets.maximum(builtin.max(), false);
            }
            return new Resolved(type, facets.build(type));
        }
        XmlSchemaType type = inline != null ? inline : schemas.getTypeByQName(name);
        if (!(type instanceof XmlSchemaSimpleType simple)) {
            return null;
        }
        if (!(simple.getContent() instanceof XmlSchemaSimpleTypeRestriction restriction)) {
            // xs:list and xs:union: too rare in 2008 contracts to model; a string is the honest fallback.
            return new Resolved(ParamType.STRING, facets.build(ParamType.STRING));
        }
        List<String> stepEnumeration = new ArrayList<>();
        for (XmlSchemaFacet facet : restriction.getFacets()) {
            if (facet instanceof XmlSchemaEnumerationFacet) {
                stepEnumeration.add(String.valueOf(facet.getValue()));
            } else {
                facets.add(facet);
            }
        }
        facets.enumeration(stepEnumeration);
        XmlSchemaSimpleType baseInline = restriction.getBaseType();
        return resolve(restriction.getBaseTypeName(), baseInline, facets);
    }

    private static Builtin range(long min, long max) {
        return new Builtin(ParamType.INTEGER, BigDecimal.valueOf(min), BigDecimal.valueOf(max));
    }

    /** Accumulates facets walking from the most derived type to the built-in; the tightest bound wins. */
    private static final class FacetsBuilder {
        private BigDecimal minimum;
        private boolean minimumExclusive;
        private BigDecimal maximum;
        private boolean maximumExclusive;
        private Integer minLength;
        private Integer maxLength;
        private final List<String> patterns = new ArrayList<>();
        private List<String> enumeration = List.of();

        void add(XmlSchemaFacet facet) {
            String value = String.valueOf(facet.getValue());
            switch (facet) {
                case XmlSchemaMinInclusiveFacet f -> minimum(new BigDecimal(value), false);
                case XmlSchemaMaxInclusiveFacet f -> maximum(new BigDecimal(value), false);
                case XmlSchemaMinExclusiveFacet f -> minimum(new BigDecimal(value), true);
                case XmlSchemaMaxExclusiveFacet f -> maximum(new BigDecimal(value), true);
                case XmlSchemaMinLengthFacet f -> minLength = maxOf(minLength, Integer.valueOf(value));
                case XmlSchemaMaxLengthFacet f -> maxLength = minOf(maxLength, Integer.valueOf(value));
                case XmlSchemaLengthFacet f -> {
                    minLength = maxOf(minLength, Integer.valueOf(value));
                    maxLength = minOf(maxLength, Integer.valueOf(value));
                }
                case XmlSchemaPatternFacet f -> patterns.add(value);
                default -> {
                }
            }
        }

        /** The most derived enumeration is the one in force, and it is seen first. */
        void enumeration(List<String> values) {
            if (enumeration.isEmpty()) {
                enumeration = List.copyOf(values);
            }
        }

        /** At the same value, an exclusive bound is the tighter one. */
        void minimum(BigDecimal value, boolean exclusive) {
            int c = value == null || minimum == null ? 1 : value.compareTo(minimum);
            if (value != null && (c > 0 || (c == 0 && exclusive))) {
                minimum = value;
                minimumExclusive = exclusive;
            }
        }

        void maximum(BigDecimal value, boolean exclusive) {
            int c = value == null || maximum == null ? -1 : value.compareTo(maximum);
            if (value != null && (c < 0 || (c == 0 && exclusive))) {
                maximum = value;
                maximumExclusive = exclusive;
            }
        }

        /**
         * On an integer type an exclusive bound is the same set of values as its inclusive neighbour, which reads
         * better ("from 1 to 99"); on decimals it stays exclusive: no neighbour is exact.
         */
        Facets build(ParamType type) {
            if (type == ParamType.INTEGER) {
                BigDecimal min = minimum != null && minimumExclusive
                        ? minimum.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE) : minimum;
                BigDecimal max = maximum != null && maximumExclusive
                        ? maximum.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE) : maximum;
                return new Facets(min, max, minLength, maxLength, patterns, enumeration);
            }
            return new Facets(minimum, maximum, minLength, maxLength, patterns, enumeration, minimumExclusive,
                    maximumExclusive);
        }

        private static Integer maxOf(Integer a, Integer b) {
            return a == null ? b : Integer.valueOf(Math.max(a, b));
        }

        private static Integer minOf(Integer a, Integer b) {
            return a == null ? b : Integer.valueOf(Math.min(a, b));
        }
    }
}
