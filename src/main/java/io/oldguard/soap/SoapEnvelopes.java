package io.oldguard.soap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.ParamType;
import io.oldguard.catalog.Parameter;
import io.oldguard.catalog.Tool;
import java.nio.charset.StandardCharsets;

/**
 * Writes the SOAP 1.1 request envelope of a call: the operation's request element with one child per present
 * argument, in the schema's sequence order. Plain string building — nothing is compiled or generated per call.
 */
final class SoapEnvelopes {

    static final String SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/";

    private SoapEnvelopes() {
    }

    static byte[] request(Tool tool, ObjectNode arguments) {
        String ns = tool.soap().requestElement().getNamespaceURI();
        String childNs = tool.soap().childNamespace();
        StringBuilder xml = new StringBuilder(256);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .append("<soap:Envelope xmlns:soap=\"").append(SOAP11_NS).append("\"><soap:Body>")
                .append("<m:").append(tool.soap().requestElement().getLocalPart()).append(" xmlns:m=\"");
        XmlText.escape(ns, xml);
        xml.append("\">");
        for (Parameter p : tool.parameters()) {
            JsonNode value = arguments.get(p.name());
            if (value == null || value.isNull()) {
                continue;
            }
            if (value.isArray()) {
                value.forEach(item -> element(p.name(), childNs, item, p.type(), xml));
            } else {
                element(p.name(), childNs, value, p.type(), xml);
            }
        }
        xml.append("</m:").append(tool.soap().requestElement().getLocalPart()).append("></soap:Body></soap:Envelope>");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void element(String name, String childNs, JsonNode value, ParamType type, StringBuilder xml) {
        String tag = childNs.isEmpty() ? name : "m:" + name;
        xml.append('<').append(tag).append('>');
        XmlText.escape(text(value, type), xml);
        xml.append("</").append(tag).append('>');
    }

    /**
     * The XSD lexical form of a JSON scalar: integers without exponent or fraction (validation admitted 42.0 as
     * the integer 42, and {@code xs:int} must read "42"), decimals in plain notation.
     */
    private static String text(JsonNode value, ParamType type) {
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? Long.toString(value.longValue()) : value.bigIntegerValue().toString();
        }
        if (value.isNumber() && type == ParamType.INTEGER) {
            return value.decimalValue().toBigIntegerExact().toString();
        }
        if (value.isNumber()) {
            return value.decimalValue().toPlainString();
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
