package io.oldguard.catalog;

import javax.xml.namespace.QName;

/**
 * How a tool is carried to the legacy service: the document/literal request and response elements, the
 * SOAPAction, and the namespace of the request's child elements ("" when the schema leaves them unqualified).
 */
public record SoapOperation(String name, QName requestElement, QName responseElement, String soapAction,
        String childNamespace) implements ToolBinding {
}
