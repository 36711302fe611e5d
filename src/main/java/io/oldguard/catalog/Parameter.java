package io.oldguard.catalog;

import java.util.Objects;

/**
 * One input of a tool: a child element of the operation's request element.
 *
 * @param repeated the element may occur more than once (maxOccurs &gt; 1): the JSON value is an array
 */
public record Parameter(String name, ParamType type, boolean required, boolean repeated, Facets facets,
        String description) {

    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        facets = facets == null ? Facets.NONE : facets;
        description = description == null ? "" : description;
    }
}
