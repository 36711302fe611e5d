package io.oldguard.passthrough;

import com.ctc.wstx.api.ReaderConfig;
import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.catalog.Tool;
import io.oldguard.config.XmlLimits;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import com.ctc.wstx.exc.WstxLazyException;
import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import javax.xml.namespace.QName;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a SOAP 1.1 request envelope under hard limits and decodes its operation into a tool and JSON arguments,
 * so the passthrough's calls meet exactly the guards JSON calls meet.
 *
 * <p>Hardening comes first, before any meaning is read: the parser (Woodstox) has DTD support, external entities
 * and every resolver off. What a start tag or a text node may cost is bounded inside the parser: it stops at the
 * attribute that is one too many (namespace declarations count), the character that makes an attribute value or
 * an element's text too long, before it has built the rest, and {@link #parserLimit} turns that into the same
 * refusal as every other limit; names are kept in a table built not to degrade under colliding names
 * ({@link EnvelopeNames}). The walk below refuses a DOCTYPE, entity references, processing instructions,
 * XInclude and schema locations wherever they appear, and checks depth, element count, the exact attribute count
 * and names against {@link XmlLimits} as events arrive, so each refusal names the limit that was hit. The whole
 * envelope is walked (headers and anything after the operation too), because it is forwarded as it is: whatever
 * the legacy service would read, oldguard has read.
 *
 * <p>Inside the operation element no attribute is accepted ({@code xsi:type} or {@code xsi:nil} would change how
 * the service reads a value the validator checked), and the decoding is faithful to the XSD's lexical forms:
 * text that is not a valid integer stays a string, so the validator reports it as the wrong type.
 */
final class EnvelopeReader {

    static final String SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";
    private static final String SOAP12 = "http://www.w3.org/2003/05/soap-envelope";
    private static final String XINCLUDE = "http://www.w3.org/2001/XInclude";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    private static final Set<String> ADDRESSING = Set.of("http://www.w3.org/2005/08/addressing",
            "http://schemas.xmlsoap.org/ws/2004/08/addressing");
    private static final Set<String> ANONYMOUS = Set.of("http://www.w3.org/2005/08/addressing/anonymous",
            "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous");
    private static final Set<String> REPLY_HEADERS = Set.of("ReplyTo", "FaultTo");
    private static final String SETTING = "requests.xml.";

    /**
     * What the envelope asks for.
     *
     * @param charset the one charset the envelope was read in, which the service must be told to read it in too
     */
    record Decoded(Tool tool, ObjectNode arguments, Charset charset) {
    }

    /** A refusal found while reading; carries no stack trace, it is an answer, not a failure. */
    static final class Refused extends Exception {
        private final transient Refusal refusal;

        Refused(Refusal refusal) {
            super(refusal.detail(), null, false, false);
            this.refusal = refusal;
        }

        Refusal refusal() {
            return refusal;
        }
    }

    private final XMLInputFactory factory;
    private final XmlLimits limits;

    EnvelopeReader(XmlLimits limits) {
        this.limits = limits;
        WstxInputFactory f = new WstxInputFactory() {
            @Override
            public ReaderConfig createPrivateConfig() {
                return mConfig.createNonShared(new EnvelopeNames());
            }
        };
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        f.setXMLResolver((publicId, systemId, base, ns) -> {
            throw new XMLStreamException("external resource " + systemId + " refused");
        });
        f.setProperty(WstxInputProperties.P_DTD_RESOLVER, f.getXMLResolver());
        f.setProperty(WstxInputProperties.P_ENTITY_RESOLVER, f.getXMLResolver());
        f.setProperty(WstxInputProperties.P_UNDECLARED_ENTITY_RESOLVER, f.getXMLResolver());
        // Depth and element count cost nothing until an element arrives, so the walk checks them (naming the
        // element); the parser's limits one above ours are only a backstop.
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, limits.maxDepth() + 1);
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_COUNT, (long) limits.maxElements() + 1);
        f.setProperty(WstxInputProperties.P_MAX_CHILDREN_PER_ELEMENT, limits.maxElements() + 1);
        // A start tag is built whole before the walk sees it: 10,000 attributes cost 64 MB that way, 10,000 whose
        // names were built to collide 0.6 s and 250 MB. The parser stops these as it reads. It counts namespace
        // declarations with attributes, but checks the sum only when one of its two arrays grows, so it may let
        // up to twice the limit through: the walk's exact count stays.
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, limits.maxAttributesPerElement());
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, limits.maxAttributeLength());
        f.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, limits.maxTextLength());
        // Lazily parsed text is added to the element's total before it is read, so the text limit would only
        // hold per segment (CDATA sections, buffer-sized runs); every text node is read anyway.
        f.setProperty(WstxInputProperties.P_LAZY_PARSING, false);
        // Envelopes are small and Woodstox keeps its buffers per thread (every call is a new virtual thread): a
        // 1 KB window instead of 4,000 characters. It is not a limit; a larger envelope is read in more steps.
        f.setProperty(WstxInputProperties.P_INPUT_BUFFER_LENGTH, 1024);
        this.factory = f;
    }

    /**
     * @param httpCharset the charset the HTTP Content-Type names, or null. The envelope is read in exactly one
     *                    charset, and the service is told that one: an XML declaration that says otherwise is refused
     * @param operations  the service's tools by request element
     * @throws Refused with the reason, for anything that is not one well-formed, safe SOAP 1.1 request
     */
    Decoded read(byte[] envelope, Charset httpCharset, Map<QName, Tool> operations) throws Refused {
        XMLStreamReader r = null;
        try {
            r = httpCharset == null ? factory.createXMLStreamReader(new ByteArrayInputStream(envelope))
                    : factory.createXMLStreamReader(new ByteArrayInputStream(envelope), httpCharset.name());
            if (r.getVersion() != null && !r.getVersion().equals("1.0")) {
                throw new Refused(Refusals.forbiddenXml("an XML " + r.getVersion() + " declaration", "send XML 1.0"));
            }
            Charset charset = effectiveCharset(r, httpCharset);
            OperationDecoder operation = walk(r, operations);
            return new Decoded(operation.tool(), operation.arguments(), charset);
        } catch (XMLStreamException | WstxLazyException e) {
            // Woodstox reports some problems lazily, as unchecked exceptions; anything else is a bug, not bad XML.
            Refusal limit = parserLimit(e);
            if (limit != null) {
                throw new Refused(limit);
            }
            String unreadable = unsupportedEncoding(e);
            throw new Refused(unreadable != null ? Refusals.unsupportedCharset(unreadable) : Refusals.malformedXml(parserMessage(e)));
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // Nothing to release beyond the byte array.
                }
            }
        }
    }

    /**
     * The charset the bytes are read in: the HTTP header's, else the XML declaration's, else what the parser
     * detected (a byte order mark), else UTF-8. Declaration and header must agree, and only the charsets every
     * legacy stack reads alike are accepted.
     */
    private static Charset effectiveCharset(XMLStreamReader r, Charset httpCharset) throws Refused {
        String declared = r.getCharacterEncodingScheme();
        Charset fromDeclaration = declared == null ? null : PassthroughCharsets.named(declared);
        if (httpCharset != null && fromDeclaration != null && !httpCharset.equals(fromDeclaration)) {
            throw new Refused(Refusals.notSoapEnvelope("The XML declaration says encoding=\"" + declared
                    + "\" but the Content-Type says charset=" + httpCharset.name() + "; they must agree"));
        }
        if (httpCharset != null) {
            return httpCharset;
        }
        if (fromDeclaration != null) {
            return fromDeclaration;
        }
        return r.getEncoding() == null ? StandardCharsets.UTF_8 : PassthroughCharsets.named(r.getEncoding());
    }

    private OperationDecoder walk(XMLStreamReader r, Map<QName, Tool> operations) throws XMLStreamException, Refused {
        OperationDecoder operation = null;
        int depth = 0;
        int elements = 0;
        boolean inHeader = false;
        boolean inBody = false;
        boolean seenHeader = false;
        boolean seenBody = false;
        String replyHeader = null;
        StringBuilder replyAddress = null;
        StringBuilder actionText = null;
        String action = null;
        while (r.hasNext()) {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> {
                    depth++;
                    elements++;
                    checkElement(r, depth, elements);
                    String ns = nullToEmpty(r.getNamespaceURI());
                    String local = r.getLocalName();
                    if (depth == 1) {
                        envelopeRoot(ns, local);
                    } else if (depth == 2) {
                        if (!SOAP11.equals(ns) || !(local.equals("Header") && !seenHeader && !seenBody
                                || local.equals("Body") && !seenBody)) {
                            throw new Refused(Refusals.notSoapEnvelope("The Envelope holds " + describe(ns, local)
                                    + " where one optional Header and then one Body are expected"));
                        }
                        inHeader = local.equals("Header");
                        inBody = local.equals("Body");
                        seenHeader |= inHeader;
                        seenBody |= inBody;
                    } else if (inBody && depth == 3) {
                        if (operation != null) {
                            throw new Refused(Refusals.notSoapEnvelope("The Body holds a second element, "
                                    + describe(ns, local)));
                        }
                        Tool tool = operations.get(new QName(ns, local));
                        if (tool == null) {
                            throw new Refused(Refusals.unknownSoapOperation(describe(ns, local), operations.keySet().stream()
                                    .map(q -> describe(q.getNamespaceURI(), q.getLocalPart())).sorted().toList()));
                        }
                        operation = new OperationDecoder(tool);
                        noAttributes(r, local);
                    } else if (inBody) {
                        noAttributes(r, local);
                        operation.start(depth, ns, local);
                    } else if (inHeader && depth == 3) {
                        headerBlock(r, ns, local);
                        if (ADDRESSING.contains(ns) && REPLY_HEADERS.contains(local)) {
                            replyHeader = local;
                        } else if (ADDRESSING.contains(ns) && local.equals("Action")) {
                            actionText = new StringBuilder();
                        }
                    } else if (replyHeader != null && depth == 4 && ADDRESSING.contains(ns) && local.equals("Address")) {
                        replyAddress = new StringBuilder();
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    if (inBody && depth >= 4) {
                        operation.end(depth);
                    } else if (replyAddress != null && depth == 4) {
                        String address = xmlTrim(replyAddress);
                        if (!ANONYMOUS.contains(address)) {
                            throw new Refused(Refusals.foreignReplyAddress(replyHeader, address));
                        }
                        replyAddress = null;
                    } else if (depth == 3) {
                        replyHeader = null;
                        if (actionText != null) {
                            action = xmlTrim(actionText);
                            actionText = null;
                        }
                    } else if (depth == 2) {
                        inHeader = false;
                        inBody = false;
                    }
                    depth--;
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (inBody && depth >= 4) {
                        operation.text(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                    } else if (replyAddress != null) {
                        replyAddress.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                    } else if (actionText != null) {
                        actionText.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                    } else if (depth <= 3 && !inHeader && !r.isWhiteSpace()) {
                        throw new Refused(Refusals.notSoapEnvelope("The envelope has text outside any element it defines"));
                    }
                }
                case XMLStreamConstants.DTD -> throw new Refused(Refusals.forbiddenXml("a DOCTYPE declaration",
                        "send the envelope without a DTD, entity declarations or external references"));
                case XMLStreamConstants.ENTITY_REFERENCE -> throw new Refused(Refusals.forbiddenXml(
                        "a reference to the entity &" + r.getLocalName() + ";",
                        "write characters directly or as character references such as &#38;"));
                case XMLStreamConstants.PROCESSING_INSTRUCTION -> throw new Refused(Refusals.forbiddenXml(
                        "the processing instruction <?" + r.getPITarget() + "?>", "SOAP messages carry none"));
                default -> {
                    // Comments and the document's start and end carry nothing the service reads.
                }
            }
        }
        if (!seenBody) {
            throw new Refused(Refusals.notSoapEnvelope("The Envelope has no Body"));
        }
        if (operation == null) {
            throw new Refused(Refusals.notSoapEnvelope("The Body is empty"));
        }
        if (action != null && !action.equals(operation.tool().soap().soapAction())) {
            throw new Refused(Refusals.soapActionMismatch("WS-Addressing Action", action,
                    operation.tool().soap().requestElement().getLocalPart(), operation.tool().soap().soapAction()));
        }
        return operation;
    }

    private void checkElement(XMLStreamReader r, int depth, int elements) throws Refused {
        if (depth > limits.maxDepth()) {
            throw new Refused(Refusals.xmlLimitExceeded("elements nested more than " + limits.maxDepth() + " deep",
                    limits.maxDepth(), SETTING + "maxDepth"));
        }
        if (elements > limits.maxElements()) {
            throw new Refused(Refusals.xmlLimitExceeded("more than " + limits.maxElements() + " elements",
                    limits.maxElements(), SETTING + "maxElements"));
        }
        String ns = nullToEmpty(r.getNamespaceURI());
        if (XINCLUDE.equals(ns)) {
            throw new Refused(Refusals.forbiddenXml("an XInclude element (" + r.getLocalName() + ")",
                    "put the content in the envelope itself"));
        }
        checkName(r.getPrefix(), r.getLocalName());
        if (r.getAttributeCount() + r.getNamespaceCount() > limits.maxAttributesPerElement()) {
            throw new Refused(attributeCountExceeded());
        }
        for (int i = 0; i < r.getAttributeCount(); i++) {
            checkName(r.getAttributePrefix(i), r.getAttributeLocalName(i));
            if (XSI.equals(r.getAttributeNamespace(i)) && r.getAttributeLocalName(i).endsWith("chemaLocation")) {
                throw new Refused(Refusals.forbiddenXml("a schema location (xsi:" + r.getAttributeLocalName(i) + ")",
                        "oldguard and the service validate against the WSDL they already have"));
            }
        }
        for (int i = 0; i < r.getNamespaceCount(); i++) {
            checkName(r.getNamespacePrefix(i), "xmlns");
        }
    }

    private Refusal attributeCountExceeded() {
        return Refusals.xmlLimitExceeded("an element with more than " + limits.maxAttributesPerElement()
                + " attributes and namespace declarations", limits.maxAttributesPerElement(), SETTING + "maxAttributesPerElement");
    }

    /**
     * The refusal for a limit the parser enforced, or null for any other parse error. Woodstox says which limit
     * only in its message ("Attribute limit (32) exceeded"); {@code EnvelopeReaderTest} pins each one.
     */
    private Refusal parserLimit(Exception e) {
        Throwable cause = e instanceof WstxLazyException && e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        if (message.startsWith("Attribute limit (")) {
            return attributeCountExceeded();
        }
        if (message.startsWith("Maximum attribute size limit (")) {
            return Refusals.xmlLimitExceeded("an attribute value or namespace longer than " + limits.maxAttributeLength()
                    + " characters", limits.maxAttributeLength(), SETTING + "maxAttributeLength");
        }
        if (message.startsWith("Text size limit (")) {
            return Refusals.xmlLimitExceeded("more than " + limits.maxTextLength() + " characters of text in one element",
                    limits.maxTextLength(), SETTING + "maxTextLength");
        }
        return null;
    }

    private void checkName(String prefix, String local) throws Refused {
        int length = nullToEmpty(prefix).length() + local.length();
        if (length > limits.maxNameLength()) {
            throw new Refused(Refusals.xmlLimitExceeded("a name longer than " + limits.maxNameLength() + " characters",
                    limits.maxNameLength(), SETTING + "maxNameLength"));
        }
    }

    /**
     * A header block the service must understand is refused: the inventory service declares no headers, so it
     * would answer with a MustUnderstand fault — a failure oldguard would otherwise let agents send on purpose.
     */
    private static void headerBlock(XMLStreamReader r, String ns, String local) throws Refused {
        String mustUnderstand = r.getAttributeValue(SOAP11, "mustUnderstand");
        if (mustUnderstand != null && (xmlTrim(new StringBuilder(mustUnderstand)).equals("1")
                || xmlTrim(new StringBuilder(mustUnderstand)).equals("true"))) {
            throw new Refused(Refusals.forbiddenXml("the header " + describe(ns, local) + " marked mustUnderstand",
                    "the service declares no SOAP headers it must understand; send it without mustUnderstand"));
        }
    }

    /** XML's whitespace only (space, tab, CR, LF), as XSD's collapse knows it; never Unicode spaces. */
    static String xmlTrim(CharSequence text) {
        int start = 0;
        int end = text.length();
        while (start < end && isXmlSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isXmlSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.subSequence(start, end).toString();
    }

    private static boolean isXmlSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static void envelopeRoot(String ns, String local) throws Refused {
        if (local.equals("Envelope") && SOAP12.equals(ns)) {
            throw new Refused(Refusals.soapVersionMismatch(ns));
        }
        if (!local.equals("Envelope") || !SOAP11.equals(ns)) {
            throw new Refused(Refusals.notSoapEnvelope("The document's root is " + describe(ns, local)));
        }
    }

    private static void noAttributes(XMLStreamReader r, String element) throws Refused {
        if (r.getAttributeCount() > 0) {
            QName attribute = r.getAttributeName(0);
            throw new Refused(Refusals.forbiddenXml("the attribute " + describe(nullToEmpty(attribute.getNamespaceURI()),
                    attribute.getLocalPart()) + " on " + element, "operation elements and their parameters carry no "
                    + "attributes (xsi:type or xsi:nil would change how the service reads a checked value)"));
        }
    }

    static String describe(String ns, String local) {
        return ns.isEmpty() ? local : "{" + ns + "}" + local;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The encoding the JDK cannot read at all (an XML declaration naming UTF-7, say), or null. */
    private static String unsupportedEncoding(Exception e) {
        // Woodstox says so in its message only: "Unsupported encoding: UTF-7".
        String message = parserMessage(e);
        String prefix = "Unsupported encoding: ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : null;
    }

    private static String parserMessage(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // Woodstox appends the location on new lines; the first line says what is wrong.
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
