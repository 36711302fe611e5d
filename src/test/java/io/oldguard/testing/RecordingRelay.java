package io.oldguard.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A plain HTTP relay in front of the legacy simulator that keeps the exact bytes of every request it forwards
 * and of every answer it relays, so a test can prove what oldguard sent the service and what came back. It
 * serves the simulator's own path, so the service sees nothing but one more hop.
 */
public final class RecordingRelay implements AutoCloseable {

    /** One exchange as it crossed the relay. */
    public record Exchange(String contentType, String soapAction, byte[] request, int status, byte[] answer) {
    }

    private final HttpServer server;
    private final URI target;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    private RecordingRelay(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(target.getPath(), this::relay);
        server.start();
    }

    public static RecordingRelay inFrontOf(URI target) {
        try {
            return new RecordingRelay(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The relay's address: the simulator's path on the relay's port. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + target.getPath());
    }

    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    private void relay(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] request = in.readAllBytes();
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            String soapAction = exchange.getRequestHeaders().getFirst("SOAPAction");
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(target)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", contentType)
                    .header("SOAPAction", soapAction == null ? "" : soapAction)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            exchanges.add(new Exchange(contentType, soapAction, request, answer.statusCode(), answer.body()));
            answer.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(502, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
