package io.oldguard.passthrough;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.Tool;

/** The operation element's children as arguments, named and typed as the JSON API would receive them. */
final class OperationDecoder {

    private final Tool tool;
    private final ObjectNode arguments = JsonNodeFactory.instance.objectNode();
    private String param;
    private StringBuilder text;
    private boolean complex;

    OperationDecoder(Tool tool) {
        this.tool = tool;
    }

    Tool tool() {
        return tool;
    }

    ObjectNode arguments() {
        return arguments;
    }

    void start(int depth, String ns, String local) {
        if (depth == 4) {
            // An element outside the schema's namespace (unqualified where it must be qualified, too) is not the
            // parameter: the service would not read it as one.
            param = ns.equals(tool.soap().childNamespace()) ? local : "{" + ns + "}" + local;
            text = new StringBuilder();
            complex = false;
        } else {
            complex = true;
        }
    }

    void text(char[] chars, int start, int length) {
        if (!complex) {
            text.append(chars, start, length);
        }
    }

    void end(int depth) {
        if (depth == 4) {
            ParamValues.add(arguments, tool.parameter(param), param, complex ? null : text.toString());
        }
    }
}
