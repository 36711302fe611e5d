package io.oldguard.catalog;

import io.oldguard.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.wsdl.Binding;
import javax.wsdl.BindingOperation;
import javax.wsdl.Definition;
import javax.wsdl.Message;
import javax.wsdl.Operation;
import javax.wsdl.Part;
import javax.wsdl.PortType;
import javax.wsdl.WSDLException;
import javax.wsdl.extensions.ExtensibilityElement;
import javax.wsdl.extensions.schema.Schema;
import javax.wsdl.extensions.soap.SOAPOperation;
import javax.xml.namespace.QName;
import org.apache.cxf.wsdl11.WSDLManagerImpl;
import org.apache.ws.commons.schema.XmlSchemaAnnotation;
import org.apache.ws.commons.schema.XmlSchemaAnnotationItem;
import org.apache.ws.commons.schema.XmlSchemaCollection;
import org.apache.ws.commons.schema.XmlSchemaComplexType;
import org.apache.ws.commons.schema.XmlSchemaDocumentation;
import org.apache.ws.commons.schema.XmlSchemaElement;
import org.apache.ws.commons.schema.XmlSchemaParticle;
import org.apache.ws.commons.schema.XmlSchemaSequence;
import org.apache.ws.commons.schema.XmlSchemaSequenceMember;
import org.apache.ws.commons.schema.XmlSchemaSimpleType;
import org.apache.ws.commons.schema.XmlSchemaType;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Reads a document/literal WSDL 1.1 contract with CXF's WSDL support (wsdl4j) and its embedded XSD with
 * XmlSchema, and turns each operation of each SOAP binding into a {@link Tool}: the request element's
 * children become typed parameters with their facets, the response element becomes the result shape.
 */
public final class WsdlCatalog {

    private WsdlCatalog() {
    }

    public static List<Tool> read(String backend, Path wsdl) {
        String file = wsdl.toString();
        Definition definition;
        try {
            definition = new WSDLManagerImpl().getDefinition(wsdl.toUri().toString());
        } catch (WSDLException | org.apache.cxf.BusException | RuntimeException e) {
            throw ConfigException.of(file, "", "not a readable WSDL 1.1 document: " + rootMessage(e));
        }
        XmlSchemaCollection schemas = schemasOf(definition, file, wsdl);
        XsdTypes types = new XsdTypes(schemas);
        List<Tool> tools = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Object b : definition.getAllBindings().values()) {
            Binding binding = (Binding) b;
            if (!isSoap11(binding)) {
                continue;
            }
            for (Object o : binding.getBindingOperations()) {
                BindingOperation bop = (BindingOperation) o;
                try {
                    tools.add(toTool(backend, bop, schemas, types));
                } catch (IllegalArgumentException e) {
                    problems.add(ConfigException.problem(file, "operation " + bop.getName(), e.getMessage()));
                }
            }
        }
        if (tools.isEmpty() && problems.isEmpty()) {
            problems.add(ConfigException.problem(file, "", "no SOAP 1.1 binding with operations (expected a document/literal service)"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return List.copyOf(tools);
    }

    private static Tool toTool(String backend, BindingOperation bop, XmlSchemaCollection schemas, XsdTypes types) {
        Operation op = bop.getOperation();
        QName requestName = singleElementPart(op.getInput() == null ? null : op.getInput().getMessage(), "input");
        QName responseName = singleElementPart(op.getOutput() == null ? null : op.getOutput().getMessage(), "output");
        XmlSchemaElement request = schemas.getElementByQName(requestName);
        XmlSchemaElement response = schemas.getElementByQName(responseName);
        if (request == null || response == null) {
            throw new IllegalArgumentException("element " + (request == null ? requestName : responseName)
                    + " is not declared in the WSDL's schema");
        }
        List<Parameter> parameters = new ArrayList<>();
        String childNamespace = requestName.getNamespaceURI();
        for (XmlSchemaElement child : children(request)) {
            childNamespace = child.getWireName().getNamespaceURI();
            XsdTypes.Resolved resolved = simpleType(child, types);
            if (resolved == null) {
                throw new IllegalArgumentException("parameter " + child.getName()
                        + " has a complex type; only simple-typed request fields can be tool parameters");
            }
            parameters.add(new Parameter(child.getName(), resolved.type(), child.getMinOccurs() > 0,
                    child.getMaxOccurs() > 1, resolved.facets(), documentation(child)));
        }
        String soapAction = "";
        for (Object ext : bop.getExtensibilityElements()) {
            if (ext instanceof SOAPOperation sop && sop.getSoapActionURI() != null) {
                soapAction = sop.getSoapActionURI();
            }
        }
        String description = textOf(op.getDocumentationElement());
        if (description.isEmpty()) {
            // An empty description leaves the model guessing what the tool does: say at least what it calls with what.
            description = "Calls the " + op.getName() + " operation of the " + backend + " SOAP service"
                    + (parameters.isEmpty() ? "." : " with " + String.join(", ", parameters.stream().map(Parameter::name).toList()) + ".");
        }
        SoapOperation soap = new SoapOperation(op.getName(), requestName, responseName, soapAction, childNamespace);
        return new Tool(op.getName(), description, backend, soap, parameters, fields(response, types));
    }

    private static List<Field> fields(XmlSchemaElement element, XsdTypes types) {
        List<Field> fields = new ArrayList<>();
        for (XmlSchemaElement child : children(element)) {
            XsdTypes.Resolved resolved = simpleType(child, types);
            boolean repeated = child.getMaxOccurs() > 1;
            fields.add(resolved != null
                    ? new Field(child.getName(), resolved.type(), repeated, List.of())
                    : new Field(child.getName(), null, repeated, fields(child, types)));
        }
        return fields;
    }

    private static List<XmlSchemaElement> children(XmlSchemaElement element) {
        XmlSchemaType type = element.getSchemaType();
        if (!(type instanceof XmlSchemaComplexType complex)) {
            return List.of();
        }
        XmlSchemaParticle particle = complex.getParticle();
        if (!(particle instanceof XmlSchemaSequence sequence)) {
            throw new IllegalArgumentException("element " + element.getName()
                    + " must be an xs:sequence of elements (document/literal wrapped style)");
        }
        List<XmlSchemaElement> result = new ArrayList<>();
        for (XmlSchemaSequenceMember member : sequence.getItems()) {
            if (member instanceof XmlSchemaElement child) {
                result.add(child.getRef().getTarget() != null ? child.getRef().getTarget() : child);
            }
        }
        return result;
    }

    private static XsdTypes.Resolved simpleType(XmlSchemaElement element, XsdTypes types) {
        if (element.getSchemaType() instanceof XmlSchemaSimpleType simple && simple.getQName() == null) {
            return types.resolve(simple);
        }
        QName typeName = element.getSchemaTypeName();
        if (typeName != null) {
            return types.resolve(typeName);
        }
        return element.getSchemaType() == null ? types.resolve(new QName(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI, "string")) : null;
    }

    private static QName singleElementPart(Message message, String direction) {
        if (message == null) {
            throw new IllegalArgumentException("has no " + direction + " message");
        }
        Map<?, ?> parts = message.getParts();
        if (parts.size() != 1) {
            throw new IllegalArgumentException(direction + " message " + message.getQName().getLocalPart()
                    + " must have exactly one part (document/literal wrapped)");
        }
        Part part = (Part) parts.values().iterator().next();
        if (part.getElementName() == null) {
            throw new IllegalArgumentException(direction + " part must reference an element (document/literal, not rpc)");
        }
        return part.getElementName();
    }

    private static XmlSchemaCollection schemasOf(Definition definition, String file, Path wsdl) {
        XmlSchemaCollection schemas = new XmlSchemaCollection();
        schemas.setBaseUri(wsdl.toUri().toString());
        if (definition.getTypes() == null) {
            throw ConfigException.of(file, "wsdl:types", "missing (expected an embedded xs:schema)");
        }
        for (Object ext : definition.getTypes().getExtensibilityElements()) {
            if (ext instanceof Schema schema) {
                try {
                    schemas.read(schema.getElement());
                } catch (RuntimeException e) {
                    throw ConfigException.of(file, "wsdl:types", "invalid XML Schema: " + rootMessage(e));
                }
            }
        }
        return schemas;
    }

    private static boolean isSoap11(Binding binding) {
        for (Object ext : binding.getExtensibilityElements()) {
            if (ext instanceof ExtensibilityElement e && e.getElementType() != null
                    && "http://schemas.xmlsoap.org/wsdl/soap/".equals(e.getElementType().getNamespaceURI())) {
                return true;
            }
        }
        return false;
    }

    private static String documentation(XmlSchemaElement element) {
        String own = documentation(element.getAnnotation());
        if (!own.isEmpty() || element.getSchemaType() == null) {
            return own;
        }
        return documentation(element.getSchemaType().getAnnotation());
    }

    private static String documentation(XmlSchemaAnnotation annotation) {
        if (annotation == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (XmlSchemaAnnotationItem item : annotation.getItems()) {
            if (item instanceof XmlSchemaDocumentation doc && doc.getMarkup() != null) {
                NodeList markup = doc.getMarkup();
                for (int i = 0; i < markup.getLength(); i++) {
                    sb.append(markup.item(i).getTextContent());
                }
            }
        }
        return sb.toString().trim().replaceAll("\\s+", " ");
    }

    private static String textOf(Element element) {
        if (element == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            sb.append(n.getTextContent());
        }
        return sb.toString().trim().replaceAll("\\s+", " ");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
