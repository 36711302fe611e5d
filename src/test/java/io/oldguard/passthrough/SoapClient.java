package io.oldguard.passthrough;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** A legacy SOAP client as the passthrough sees one: envelopes as bytes, answers as bytes and as parsed faults. */
final class SoapClient {

    static final String NS = "http://legacy.example.com/inventory/2008";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;

    SoapClient(URI endpoint) {
        this.endpoint = endpoint;
    }

    static String envelope(String operation, String params) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:inv="%s">
                  <soapenv:Header/>
                  <soapenv:Body>
                    <inv:%sRequest>%s</inv:%sRequest>
                  </soapenv:Body>
                </soapenv:Envelope>
                """.formatted(NS, operation, params, operation);
    }

    static String action(String operation) {
        return NS + "/" + operation;
    }

    Reply call(String token, String operation, String params) {
        return post(token, "\"" + action(operation) + "\"", envelope(operation, params).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Reply post(String token, String soapAction, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/xml; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (soapAction != null) {
            b.header("SOAPAction", soapAction);
        }
        headers.forEach(b::setHeader);
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean isFault() {
            return first("http://schemas.xmlsoap.org/soap/envelope/", "Fault") != null;
        }

        /** "Client", "Server" or "VersionMismatch". */
        String faultCode() {
            String code = first("", "faultcode");
            return code.substring(code.indexOf(':') + 1);
        }

        /** A member of the oldguard problem document in the fault's detail, e.g. "type" or "rule". */
        String problem(String member) {
            return first(SoapFaults.PROBLEM_NS, member);
        }

        /** Text of the first element with this local name in this namespace, or null. */
        String first(String ns, String localName) {
            NodeList nodes = ns.isEmpty() ? parse().getElementsByTagName(localName) : parse().getElementsByTagNameNS(ns, localName);
            return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
        }

        private Document parse() {
            try {
                DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
                factory.setNamespaceAware(true);
                return factory.newDocumentBuilder().parse(new ByteArrayInputStream(body));
            } catch (Exception e) {
                throw new AssertionError("answer is not XML: " + text(), e);
            }
        }
    }
}
