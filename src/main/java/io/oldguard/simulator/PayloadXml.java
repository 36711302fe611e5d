package io.oldguard.simulator;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.dom.DOMSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The DOM handling of the 2008 service: lenient reading of request payloads and hand-built responses. */
final class PayloadXml {

    static final String NS = "http://legacy.example.com/inventory/2008";

    // DocumentBuilder is not thread-safe; one per worker thread is plenty for a fixed pool.
    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(PayloadXml::newBuilder);

    private PayloadXml() {
    }

    /** The payload's root element, whether CXF handed over a Document or an Element; null if there is none. */
    static Element root(DOMSource source) {
        Node node = source == null ? null : source.getNode();
        if (node instanceof Document document) {
            return document.getDocumentElement();
        }
        while (node != null && !(node instanceof Element)) {
            node = node.getNextSibling();
        }
        return (Element) node;
    }

    /**
     * The text of the first descendant with this local name, or null if absent. Like the old service it ignores
     * namespaces and nesting, so wrongly qualified or misplaced elements are still accepted.
     */
    static String text(Element parent, String localName) {
        NodeList found = parent.getElementsByTagNameNS("*", localName);
        return found.getLength() == 0 ? null : found.item(0).getTextContent();
    }

    /** A new response document whose root element is in the service namespace. */
    static Element newResponse(String rootName) {
        Document document = BUILDER.get().newDocument();
        Element root = document.createElementNS(NS, rootName);
        root.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, XMLConstants.XMLNS_ATTRIBUTE, NS);
        document.appendChild(root);
        return root;
    }

    /** Appends an empty child element in the service namespace (elementFormDefault is qualified). */
    static Element append(Element parent, String name) {
        Element child = parent.getOwnerDocument().createElementNS(NS, name);
        parent.appendChild(child);
        return child;
    }

    /** Appends a child element holding {@code value} as text. */
    static Element append(Element parent, String name, Object value) {
        Element child = append(parent, name);
        child.setTextContent(String.valueOf(value));
        return child;
    }

    /** The whole response document of {@code root}, ready to return from the provider. */
    static DOMSource source(Element root) {
        return new DOMSource(root.getOwnerDocument());
    }

    private static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
