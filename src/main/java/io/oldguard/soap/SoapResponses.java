package io.oldguard.soap;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.Field;
import io.oldguard.catalog.ParamType;
import io.oldguard.catalog.Tool;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a SOAP 1.1 response into typed JSON following the tool's result shape ({@code xs:int} becomes a JSON
 * number, a repeated element an array), or into a fault; or, for an answer relayed as it came, only far enough to
 * tell which it is. The StAX factory is built once and refuses DTDs and
 * external entities, so a hostile or broken backend cannot make oldguard expand entities or fetch files.
 */
final class SoapResponses {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final XMLInputFactory XML = secureFactory();

    sealed interface Parsed {
    }

    /** The promised answer; {@code body} is its typed JSON, or null when it was only recognised (relayed). */
    record Result(ObjectNode body) implements Parsed {
    }

    record Fault(String code, String string) implements Parsed {
    }

    /** The response is not the SOAP answer the contract promises. */
    static final class UnreadableResponse extends Exception {
        UnreadableResponse(String message) {
            super(message);
        }
    }

    private SoapResponses() {
    }

    /**
     * @param typed whether the answer is read into typed JSON; an answer relayed as it came (the SOAP passthrough)
     *              is read only as far as its Body's first element, which tells a fault from the promised answer:
     *              what that answer holds is for its client to read, and reading it was a twentieth of the
     *              sidecar's CPU per passthrough call (BENCHMARKS.md)
     */
    static Parsed parse(Tool tool, byte[] body, boolean typed) throws UnreadableResponse {
        try {
            XMLStreamReader reader = XML.createXMLStreamReader(new ByteArrayInputStream(body));
            try {
                nextElement(reader, "Envelope");
                nextElement(reader, "Body");
                if (!nextStart(reader)) {
                    throw new UnreadableResponse("empty SOAP Body");
                }
                if (SoapEnvelopes.SOAP11_NS.equals(reader.getNamespaceURI()) && "Fault".equals(reader.getLocalName())) {
                    return fault(reader);
                }
                if (!tool.soap().responseElement().getLocalPart().equals(reader.getLocalName())) {
                    throw new UnreadableResponse("expected " + tool.soap().responseElement().getLocalPart()
                            + " but got " + reader.getLocalName());
                }
                return new Result(typed ? object(reader, tool.result()) : null);
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            throw new UnreadableResponse("not well-formed XML: " + e.getMessage());
        }
    }

    private static ObjectNode object(XMLStreamReader reader, List<Field> fields) throws XMLStreamException, UnreadableResponse {
        ObjectNode node = JSON.objectNode();
        for (Field f : fields) {
            if (f.repeated()) {
                node.putArray(f.name());
            }
        }
        while (nextStart(reader)) {
            Field field = null;
            for (Field f : fields) {
                if (f.name().equals(reader.getLocalName())) {
                    field = f;
                }
            }
            JsonNode value;
            if (field == null) {
                skip(reader);
                continue;
            } else if (field.isComplex()) {
                value = object(reader, field.children());
            } else {
                value = scalar(field, reader.getElementText());
            }
            if (field.repeated()) {
                ((ArrayNode) node.get(field.name())).add(value);
            } else {
                node.set(field.name(), value);
            }
        }
        return node;
    }

    private static JsonNode scalar(Field field, String text) throws UnreadableResponse {
        String t = text.trim();
        try {
            return switch (field.type()) {
                case INTEGER -> {
                    BigInteger i = new BigInteger(t);
                    yield i.bitLength() < 64 ? JSON.numberNode(i.longValue()) : JSON.numberNode(i);
                }
                case NUMBER -> JSON.numberNode(new BigDecimal(t));
                case BOOLEAN -> JSON.booleanNode("true".equals(t) || "1".equals(t));
                default -> JSON.textNode(field.type() == ParamType.STRING ? text : t);
            };
        } catch (NumberFormatException e) {
            throw new UnreadableResponse(field.name() + " is \"" + t + "\", not a " + field.type().jsonType());
        }
    }

    private static Fault fault(XMLStreamReader reader) throws XMLStreamException {
        String code = "";
        String string = "";
        while (nextStart(reader)) {
            switch (reader.getLocalName()) {
                case "faultcode" -> code = reader.getElementText().trim();
                case "faultstring" -> string = reader.getElementText().trim();
                default -> skip(reader);
            }
        }
        int colon = code.indexOf(':');
        return new Fault(colon >= 0 ? code.substring(colon + 1) : code, string);
    }

    /** Moves to the next child start element; false when the current element ends first. */
    private static boolean nextStart(XMLStreamReader reader) throws XMLStreamException {
        while (reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                return true;
            }
            if (event == XMLStreamConstants.END_ELEMENT) {
                return false;
            }
        }
        return false;
    }

    private static void nextElement(XMLStreamReader reader, String localName) throws XMLStreamException, UnreadableResponse {
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                if (localName.equals(reader.getLocalName()) && SoapEnvelopes.SOAP11_NS.equals(reader.getNamespaceURI())) {
                    return;
                }
                if (!"Header".equals(reader.getLocalName())) {
                    throw new UnreadableResponse("expected soap:" + localName + " but got " + reader.getLocalName());
                }
                skip(reader);
            }
        }
        throw new UnreadableResponse("no soap:" + localName);
    }

    private static void skip(XMLStreamReader reader) throws XMLStreamException {
        int depth = 1;
        while (depth > 0 && reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
    }

    /**
     * Woodstox rather than the JDK's built-in StAX: the JDK's parser builds a new scanner, entity manager and
     * buffers for every reader, which made up most of a call's allocation and about a tenth of its CPU.
     */
    private static XMLInputFactory secureFactory() {
        WstxInputFactory factory = new WstxInputFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setXMLResolver((publicId, systemId, base, ns) -> {
            throw new XMLStreamException("external resource " + systemId + " refused");
        });
        factory.setProperty(WstxInputProperties.P_DTD_RESOLVER, factory.getXMLResolver());
        factory.setProperty(WstxInputProperties.P_ENTITY_RESOLVER, factory.getXMLResolver());
        factory.setProperty(WstxInputProperties.P_UNDECLARED_ENTITY_RESOLVER, factory.getXMLResolver());
        // Answers are small; the buffer is a window over the input, not a limit, so a larger answer is read in more
        // steps. Woodstox keeps buffers per thread, and every call runs on a new virtual thread.
        factory.setProperty(WstxInputProperties.P_INPUT_BUFFER_LENGTH, 1024);
        return factory;
    }
}
