package io.oldguard.soap;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BackendLimits;
import io.oldguard.config.SidecarConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.Sockets;
import io.oldguard.testing.TestPolicies;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The connections to the legacy service, seen from the kernel's socket table: calls started on the agent port's
 * event loops (JSON, plain envelopes) and calls handled on virtual threads (gzipped envelopes) share one pool of at
 * most {@code maxConnections}; a kept-alive connection carries call after call; one cut off at a deadline is never
 * handed to the next call with the late answer still on its way.
 */
class SoapConnectionsIT {

    private static final String POLICIES = """
            tools:
              GetStock:
                params:
                  ItemID: { minimum: 1, maximum: 9999999 }
            agents:
              order-bot:
                tools: [GetStock]
                limits: { maxInFlight: 64 }
            """;

    private static final String ENVELOPE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
            xmlns:inv="http://legacy.example.com/inventory/2008">
              <soapenv:Body><inv:GetStockRequest><inv:ItemID>%d</inv:ItemID></inv:GetStockRequest></soapenv:Body>
            </soapenv:Envelope>
            """;

    @Test
    void callsOnTheEventLoopAndOnWorkersShareTheCapOnConnections() throws Exception {
        UnaryOperator<SidecarConfig> config = c -> inventory(c.withPolicies(TestPolicies.folderWith(POLICIES)), 2);
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofMillis(40)), config)) {
            int service = harness.simulator().endpoint().getPort();
            Http agent = harness.agent();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 1; i <= 12; i++) {
                calls.add(send(agent, json(agent, i)));
                calls.add(send(agent, envelope(agent, 100 + i, false)));
                calls.add(send(agent, envelope(agent, 200 + i, true)));
            }
            int most = 0;
            while (!calls.stream().allMatch(CompletableFuture::isDone)) {
                most = Math.max(most, connectionsTo(service).size());
                Thread.sleep(2);
            }

            assertThat(most).as("connections to the service at once").isBetween(1, 2);
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                assertThat(call.get().statusCode()).as(call.get().body()).isEqualTo(200);
            }
            assertThat(harness.simulator().requestsReceived()).isEqualTo(36);
        }
    }

    @Test
    void aKeptAliveConnectionCarriesCallAfterCall() throws Exception {
        UnaryOperator<SidecarConfig> config = c -> inventory(c.withPolicies(TestPolicies.folderWith(POLICIES)), 4);
        try (SidecarHarness harness = SidecarHarness.start(s -> s, config)) {
            int service = harness.simulator().endpoint().getPort();
            Http agent = harness.agent();
            Set<String> seen = new HashSet<>();
            for (int i = 1; i <= 20; i++) {
                HttpResponse<String> reply = send(agent, i % 2 == 0 ? json(agent, i) : envelope(agent, i, false)).get();
                assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
                seen.addAll(connectionsTo(service));
            }

            assertThat(seen).as("connections the 20 calls one after another used").hasSize(1);
        }
    }

    @Test
    void aConnectionCutOffAtItsDeadlineNeverCarriesItsLateAnswerToTheNextCall() throws Exception {
        UnaryOperator<SidecarConfig> config = c -> inventory(c.withPolicies(TestPolicies.folderWith(POLICIES)), 1);
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofMillis(600)), config)) {
            Http agent = harness.agent();
            HttpRequest impatient = HttpRequest.newBuilder(URI.create(agent.base() + "/v1/tools/GetStock"))
                    .header("Authorization", "Bearer " + ORDER_TOKEN).header("Content-Type", "application/json")
                    .header("Oldguard-Timeout", "150ms").POST(HttpRequest.BodyPublishers.ofString("{\"ItemID\": 42}")).build();
            assertThat(send(agent, impatient).get().statusCode()).isEqualTo(504);

            harness.simulator().setLatency(Duration.ZERO);
            Http.Reply next = agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 43}");

            assertThat(next.status()).as(next.body()).isEqualTo(200);
            assertThat(next.json().path("result").path("Stock").path("ItemID").asInt())
                    .as("the answer is the second call's own").isEqualTo(43);
        }
    }

    @Test
    void anAnswerLargerThanTheCapIsRefusedWithoutBeingReadWhole() throws Exception {
        try (ServerSocket hostile = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicLong sent = new AtomicLong();
            Thread.ofVirtual().start(() -> answerEndlessly(hostile, sent));
            URI endpoint = URI.create("http://127.0.0.1:" + hostile.getLocalPort() + "/inventory");
            UnaryOperator<SidecarConfig> config = c -> c.withPolicies(TestPolicies.folderWith(POLICIES)).withBackends(
                    Map.of("inventory", c.backends().get("inventory").withEndpoint(endpoint)));
            try (SidecarHarness harness = SidecarHarness.start(s -> s, config)) {
                Http.Reply reply = harness.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}");

                assertThat(reply.status()).as(reply.body()).isEqualTo(502);
                assertThat(reply.json().path("detail").asText()).contains("larger than 16777216 bytes");
                assertThat(sent.get()).as("bytes the service got to send before oldguard hung up").isLessThan(1L << 24);
            }
        }
    }

    /**
     * A broken service: announces an answer of 1 GB and sends it until the connection is closed. Every connection
     * is served (the sidecar's readiness probe connects too).
     */
    private static void answerEndlessly(ServerSocket server, AtomicLong sent) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> answerEndlessly(socket, sent));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void answerEndlessly(Socket connection, AtomicLong sent) {
        try (Socket socket = connection) {
            BufferedReader request = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String line = request.readLine();
            if (line == null) {
                return;
            }
            while (line != null && !line.isEmpty()) {
                line = request.readLine();
            }
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " + (1L << 30) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            while (true) {
                out.write(chunk);
                sent.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            // oldguard hung up, or the test ended.
        }
    }

    private static SidecarConfig inventory(SidecarConfig config, int maxConnections) {
        return config.withBackends(Map.of("inventory", config.backends().get("inventory").withMaxConnections(maxConnections)
                // Every call waits for a connection rather than being refused: the test is about the connections.
                .withLimits(new BackendLimits(null, Duration.ofSeconds(10), 64, 64))));
    }

    private static HttpRequest json(Http agent, int item) {
        return HttpRequest.newBuilder(URI.create(agent.base() + "/v1/tools/GetStock"))
                .header("Authorization", "Bearer " + ORDER_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ItemID\": " + item + "}")).build();
    }

    /** A GetStock envelope through the passthrough; a gzipped one is read on a virtual thread, a plain one on the loop. */
    private static HttpRequest envelope(Http agent, int item, boolean gzip) throws IOException {
        byte[] body = ENVELOPE.formatted(item).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(agent.base() + "/inventory"))
                .header("Authorization", "Bearer " + ORDER_TOKEN).header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "\"http://legacy.example.com/inventory/2008/GetStock\"");
        if (gzip) {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(compressed)) {
                out.write(body);
            }
            body = compressed.toByteArray();
            request.header("Content-Encoding", "gzip");
        }
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static CompletableFuture<HttpResponse<String>> send(Http agent, HttpRequest request) {
        return agent.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The local ports of this process's established TCP connections to {@code port}: the sidecar's connections to
     * the service (the simulator runs in this process too, but its ends have the port as their local one).
     */
    private static Set<String> connectionsTo(int port) throws IOException {
        Set<String> own = Sockets.ownInodes();
        Set<String> ports = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (BufferedReader lines = Files.newBufferedReader(Path.of(table), StandardCharsets.US_ASCII)) {
                lines.readLine();
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    // "  sl: local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
                    String[] f = line.trim().split("\\s+");
                    String local = f[1].substring(f[1].indexOf(':') + 1);
                    int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                    if (remote == port && "01".equals(f[3]) && own.contains(f[9])) {
                        ports.add(local);
                    }
                }
            }
        }
        return ports;
    }
}
