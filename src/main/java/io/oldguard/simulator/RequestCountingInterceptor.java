package io.oldguard.simulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.cxf.interceptor.Fault;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;

/**
 * Counts each SOAP request at the RECEIVE phase, on the Jetty thread, so a request is counted on arrival even
 * while it waits for a worker and even if CXF or the service later faults it.
 */
final class RequestCountingInterceptor extends AbstractPhaseInterceptor<Message> {

    private static final XMLInputFactory STAX = createStaxFactory();

    private final RequestCounters counters;

    RequestCountingInterceptor(RequestCounters counters) {
        super(Phase.RECEIVE);
        this.counters = counters;
    }

    @Override
    public void handleMessage(Message message) {
        // GET ?wsdl is a contract download, not a request to the inventory service.
        if ("GET".equals(message.get(Message.HTTP_REQUEST_METHOD))) {
            return;
        }
        InputStream in = message.getContent(InputStream.class);
        if (in == null) {
            counters.record(Optional.empty());
            return;
        }
        byte[] body;
        try {
            body = in.readAllBytes();
        } catch (IOException e) {
            counters.record(Optional.empty());
            throw new Fault(e);
        }
        // The body is buffered so the operation can be peeked at; CXF reads the copy as if nothing happened.
        message.setContent(InputStream.class, new ByteArrayInputStream(body));
        counters.record(operationOf(body));
    }

    /** The first element inside soap:Body, without its "Request" suffix; empty when the XML cannot be read. */
    static Optional<String> operationOf(byte[] envelope) {
        try {
            XMLStreamReader reader = STAX.createXMLStreamReader(new ByteArrayInputStream(envelope));
            try {
                int depth = 0;
                boolean inBody = false;
                while (reader.hasNext()) {
                    int event = reader.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        depth++;
                        if (depth == 2) {
                            inBody = "Body".equals(reader.getLocalName());
                        } else if (depth == 3 && inBody) {
                            String name = reader.getLocalName();
                            return Optional.of(name.endsWith("Request")
                                    ? name.substring(0, name.length() - "Request".length()) : name);
                        }
                    } else if (event == XMLStreamConstants.END_ELEMENT) {
                        depth--;
                    }
                }
                return Optional.empty();
            } finally {
                reader.close();
            }
        } catch (XMLStreamException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static XMLInputFactory createStaxFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
    }
}
