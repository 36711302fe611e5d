package io.oldguard.catalog;

import java.util.List;

/**
 * One element of a tool's result, used to turn the SOAP response into typed JSON.
 *
 * @param type     the simple type, or null for an element with children
 * @param repeated maxOccurs &gt; 1: becomes a JSON array even when it occurs once or not at all
 */
public record Field(String name, ParamType type, boolean repeated, List<Field> children) {

    public Field {
        children = children == null ? List.of() : List.copyOf(children);
    }

    public boolean isComplex() {
        return type == null;
    }
}
