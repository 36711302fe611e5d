package io.oldguard.simulator;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** Posts hand-written SOAP 1.1 envelopes to a simulator the way a plain HTTP client (or an agent) would. */
final class SoapTestClient {

    static final String NS = "http://legacy.example.com/inventory/2008";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI endpoint;

    SoapTestClient(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** Calls {@code operation} with {@code fields} (inner XML, unprefixed elements) as the request payload. */
    Reply call(String operation, String fields) {
        return callAsync(operation, fields).join();
    }

    CompletableFuture<Reply> callAsync(String operation, String fields) {
        String envelope = """
                <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:inv="%s">
                  <soapenv:Header/>
                  <soapenv:Body><inv:%sRequest xmlns="%s">%s</inv:%sRequest></soapenv:Body>
                </soapenv:Envelope>""".formatted(NS, operation, NS, fields, operation);
        return postAsync(NS + "/" + operation, envelope);
    }

    /** Posts any body, well-formed or not. */
    Reply post(String soapAction, String body) {
        return postAsync(soapAction, body).join();
    }

    /** A plain GET, e.g. of {@code ?wsdl}. */
    HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<Reply> postAsync(String soapAction, String body) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "\"" + soapAction + "\"")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Reply(response.statusCode(), response.body()));
    }

    /** A parsed SOAP response: either a payload or a soap:Fault. */
    record Reply(int status, String body) {

        /** Texts of all elements with this local name in the service namespace, in document order. */
        List<String> texts(String localName) {
            return texts(parse().getElementsByTagNameNS(NS, localName));
        }

        /** Text of the single element with this local name in the service namespace. */
        String text(String localName) {
            List<String> texts = texts(localName);
            if (texts.size() != 1) {
                throw new AssertionError("expected one " + localName + " but got " + texts + " in " + body);
            }
            return texts.getFirst();
        }

        boolean isFault() {
            return parse().getElementsByTagNameNS("http://schemas.xmlsoap.org/soap/envelope/", "Fault").getLength() > 0;
        }

        /** The local part of the faultcode, e.g. "Client" or "Server". */
        String faultCode() {
            String code = unqualified("faultcode");
            return code.substring(code.indexOf(':') + 1);
        }

        String faultString() {
            return unqualified("faultstring");
        }

        private String unqualified(String name) {
            List<String> texts = texts(parse().getElementsByTagNameNS("*", name));
            if (texts.isEmpty()) {
                throw new AssertionError("no " + name + " in " + body);
            }
            return texts.getFirst();
        }

        private Document parse() {
            try {
                DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
                factory.setNamespaceAware(true);
                return factory.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new AssertionError("response is not XML: " + body, e);
            }
        }

        private static List<String> texts(NodeList nodes) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                texts.add(nodes.item(i).getTextContent());
            }
            return texts;
        }
    }
}
