package io.oldguard.catalog;

import java.util.List;
import java.util.Objects;

/**
 * One tool an agent can call — a WSDL operation or a SQL tool — with its typed parameters and result shape.
 * Built once at load time; the per-call path only reads it.
 *
 * @param backend name of the backend or database (in {@code sidecar.yaml}) that serves it
 * @param binding how it is carried out
 * @param result  the fields of the result
 */
public record Tool(String name, String description, String backend, ToolBinding binding,
        List<Parameter> parameters, List<Field> result) {

    public Tool {
        Objects.requireNonNull(name, "name");
        parameters = List.copyOf(parameters);
        result = List.copyOf(result);
        description = description == null ? "" : description;
    }

    /** The SOAP operation; only for tools of a SOAP backend. */
    public SoapOperation soap() {
        return (SoapOperation) binding;
    }

    public Parameter parameter(String paramName) {
        for (Parameter p : parameters) {
            if (p.name().equals(paramName)) {
                return p;
            }
        }
        return null;
    }
}
