package io.oldguard.mcp;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BrokenCopies;
import io.oldguard.config.McpLimits;
import io.oldguard.config.RequestLimits;
import io.oldguard.config.SidecarConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notification streams (GET /mcp) on a real agent port, read on raw sockets: each ends with its session, however
 * the session ends, and an agent may hold only so many. Keep-alives come every 200 ms here, and sessions expire
 * after 1 s without a request.
 */
class McpStreamsIT {

    private static final Duration KEEP_ALIVE = Duration.ofMillis(200);
    private static final Duration SESSION_IDLE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void deletingTheSessionClosesItsStream() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start(s -> s, McpStreamsIT::shortTimes);
                Socket stream = openStream(harness, SUPPORT_TOKEN, open(harness, SUPPORT_TOKEN))) {
            String session = sessionOf(stream);

            assertThat(send(harness, SUPPORT_TOKEN, session, "DELETE").status()).isEqualTo(204);

            assertThat(closesWithin(stream, Duration.ofSeconds(5))).as("stream closed after DELETE").isTrue();
        }
    }

    @Test
    void keepAlivesDoNotKeepAStreamOpenPastItsSessionsIdleTimeout() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start(s -> s, McpStreamsIT::shortTimes)) {
            String session = open(harness, SUPPORT_TOKEN);
            // Before the GET, the session's last request: the stream cannot close sooner than a second from here.
            long start = System.nanoTime();
            Socket stream = openStream(harness, SUPPORT_TOKEN, session);

            String received = readUntilClosed(stream, Duration.ofSeconds(10));
            Duration open = Duration.ofNanos(System.nanoTime() - start);

            stream.close();
            assertThat(received).as("keep-alives while the session lived").contains(": keep-alive");
            assertThat(open).as("stream open after its session's last request")
                    .isGreaterThanOrEqualTo(SESSION_IDLE).isLessThan(SESSION_IDLE.plus(Duration.ofSeconds(3)));
            assertThat(send(harness, SUPPORT_TOKEN, session, "DELETE").status()).as("the session is gone").isEqualTo(404);
        }
    }

    @Test
    void anAgentAtItsStreamCapIsRefusedAnotherWith429() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start(s -> s, McpStreamsIT::shortTimes);
                Socket first = openStream(harness, SUPPORT_TOKEN, open(harness, SUPPORT_TOKEN));
                Socket second = openStream(harness, SUPPORT_TOKEN, open(harness, SUPPORT_TOKEN))) {
            String session = open(harness, SUPPORT_TOKEN);

            String third = answerToGet(harness, SUPPORT_TOKEN, session);

            assertThat(third).startsWith("HTTP/1.1 429").contains("\"code\":-32000").contains("/too-many-streams")
                    .contains("already holds 2");
            try (Socket other = openStream(harness, ORDER_TOKEN, open(harness, ORDER_TOKEN))) {
                assertThat(other.isClosed()).as("another agent's stream").isFalse();
            }
        }
    }

    @Test
    void anAgentRemovedFromSidecarYamlLosesItsOpenStream() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        try (SidecarHarness harness = SidecarHarness.start(config, s -> s,
                c -> c.withPolicyWatch(Duration.ofMillis(100)), sql -> { });
                Socket removed = openStream(harness, ORDER_TOKEN, open(harness, ORDER_TOKEN));
                Socket kept = openStream(harness, SUPPORT_TOKEN, open(harness, SUPPORT_TOKEN))) {

            BrokenCopies.replace(config, "  order-bot:\n    tokenEnv: OLDGUARD_TOKEN_ORDER_BOT\n", "");

            assertThat(closesWithin(removed, Duration.ofSeconds(10))).as("order-bot's stream closed").isTrue();
            assertThat(closesWithin(kept, Duration.ofMillis(500))).as("support-bot's stream").isFalse();
        }
    }

    private static SidecarConfig shortTimes(SidecarConfig config) {
        RequestLimits r = config.requests();
        return config.withRequests(new RequestLimits(r.maxBodyBytes(), r.maxJsonDepth(), KEEP_ALIVE, r.xml(),
                new McpLimits(null, 2, SESSION_IDLE)));
    }

    private static String open(SidecarHarness harness, String token) {
        Http.Reply reply = harness.agent().send(request(harness, token, null).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"it\",\"version\":\"1\"}}}"))
                .build());
        return reply.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private static Http.Reply send(SidecarHarness harness, String token, String session, String method) {
        return harness.agent().send(request(harness, token, session).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    private static HttpRequest.Builder request(SidecarHarness harness, String token, String session) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(harness.agent().base() + "/mcp"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b;
    }

    /** GET /mcp on a raw socket, the answer's head read; the session id rides along as the socket's to remember. */
    private static Socket openStream(SidecarHarness harness, String token, String session) throws IOException {
        Socket socket = get(harness, token, session);
        assertThat(head(socket)).startsWith("HTTP/1.1 200").contains("text/event-stream");
        return socket;
    }

    /** The head and body of a GET /mcp that is expected to be refused: never waits for a stream to end. */
    private static String answerToGet(SidecarHarness harness, String token, String session) throws IOException {
        try (Socket socket = get(harness, token, session)) {
            String head = head(socket);
            int at = head.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
            if (at < 0) {
                return head;
            }
            int length = Integer.parseInt(head.substring(at + 15, head.indexOf("\r\n", at)).strip());
            return head + new String(socket.getInputStream().readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    private static Socket get(SidecarHarness harness, String token, String session) throws IOException {
        URI base = URI.create(harness.agent().base());
        Socket socket = new SessionSocket(base.getHost(), base.getPort(), session);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /mcp HTTP/1.1\r\nHost: oldguard\r\nAuthorization: Bearer " + token
                + "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + session + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static String head(Socket socket) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("answer head").isNotEqualTo(-1);
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String sessionOf(Socket stream) {
        return ((SessionSocket) stream).session;
    }

    private static boolean closesWithin(Socket stream, Duration deadline) throws IOException {
        try {
            readUntilClosed(stream, deadline);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Everything the stream carries until the sidecar closes it; a SocketTimeoutException past the deadline. */
    private static String readUntilClosed(Socket stream, Duration deadline) throws IOException {
        stream.setSoTimeout((int) deadline.toMillis());
        long end = System.nanoTime() + deadline.toNanos();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        for (int n; (n = stream.getInputStream().read(buffer)) != -1; ) {
            received.write(buffer, 0, n);
            if (System.nanoTime() > end) {
                throw new SocketTimeoutException("still open after " + deadline);
            }
        }
        return received.toString(StandardCharsets.UTF_8);
    }

    private static final class SessionSocket extends Socket {
        private final String session;

        SessionSocket(String host, int port, String session) throws IOException {
            super(host, port);
            this.session = session;
        }
    }
}
