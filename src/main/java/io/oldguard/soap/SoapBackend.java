package io.oldguard.soap;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.netty.util.HashedWheelTimer;
import io.oldguard.call.Backend;
import io.oldguard.call.CallResult;
import io.oldguard.call.Reachability;
import io.oldguard.call.RawMessage;
import io.oldguard.call.ToolCall;
import io.oldguard.config.SoapBackendConfig;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries calls to a legacy SOAP 1.1 service over pooled HTTP/1.1 keep-alive connections (Apache HttpClient,
 * classic blocking I/O on the call's own virtual thread, so a call is not handed between threads). The admission
 * bulkhead in front of it ({@code maxConnections} calls in flight) caps the pool too. The whole exchange ends at
 * the call's deadline: a timer aborts it, whatever phase it is in; a client that goes away interrupts the
 * thread, which aborts it as well. It never retries: a retry is the agent's decision, made with the
 * {@code Retry-After} oldguard gives it. A call from the SOAP passthrough carries its client's envelope, which is
 * sent as it is, and gets the service's answer back as it came.
 */
public final class SoapBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(SoapBackend.class);

    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    /** How late a deadline may fire; 100 wake-ups a second of one thread. */
    private static final Duration DEADLINE_TICK = Duration.ofMillis(10);
    /** Far above any inventory answer; a larger one is a broken or hostile backend. */
    private static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;
    private static final ContentType SOAP_XML = ContentType.create("text/xml", java.nio.charset.StandardCharsets.UTF_8);

    private final String name;
    private final SoapBackendConfig config;
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient http;
    private final HashedWheelTimer deadlines;
    private final Clock clock;

    public SoapBackend(String name, SoapBackendConfig config, Clock clock) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnections())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(config.connectTimeout()))
                        // No read timeout: the deadline timer below closes the exchange at the call's deadline,
                        // which also ends a read. A timed read would make every blocking read of a virtual
                        // thread a timed park, scheduled and cancelled on the JDK's delay scheduler.
                        .setSocketTimeout(Timeout.DISABLED)
                        // A kept-alive connection unused for a while may have been closed by the old server.
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .setTimeToLive(TimeValue.ofMinutes(5))
                        .build())
                .build();
        this.http = HttpClients.custom()
                .setConnectionManager(connections)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                // The service is never asked for a compressed answer, so nothing needs decoding.
                .disableContentCompression()
                .build();
        // A timing wheel, not a scheduled executor: scheduling and cancelling a deadline only queue it, whereas an
        // executor's thread is woken whenever a new deadline becomes the earliest, which at a few hundred calls/s
        // is once per call. The wheel's thread wakes every tick instead, busy or idle; a deadline fires at most a
        // tick late.
        this.deadlines = new HashedWheelTimer(Thread.ofPlatform().daemon().name("oldguard-soap-deadlines-" + name).factory(),
                DEADLINE_TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String name() {
        return name;
    }

    @Override
    public CallResult invoke(ToolCall call) {
        Duration remaining = Duration.between(clock.instant(), call.deadline());
        if (remaining.isNegative() || remaining.isZero()) {
            return timedOut(call);
        }
        HttpPost post = new HttpPost(config.endpoint());
        post.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.of(remaining))
                .setResponseTimeout(Timeout.DISABLED)
                .build());
        post.setHeader("SOAPAction", "\"" + call.tool().soap().soapAction() + "\"");
        post.setHeader("X-Request-Id", call.requestId());
        // A passthrough call forwards its client's envelope byte for byte; the others are built from the arguments.
        post.setEntity(call.original() != null
                ? new ByteArrayEntity(call.original().body(), ContentType.parse(call.original().contentType()))
                : new ByteArrayEntity(SoapEnvelopes.request(call.tool(), call.arguments()), SOAP_XML));
        // This timer bounds the whole exchange, reads included (there is no read timeout).
        AtomicBoolean expired = new AtomicBoolean();
        io.netty.util.Timeout deadline = deadlines.newTimeout(t -> {
            expired.set(true);
            post.cancel();
        }, remaining.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return http.execute(post, response -> answer(call, response));
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return new CallResult.Failure(Refusals.cancelled());
            }
            if (post.isCancelled() || !clock.instant().isBefore(call.deadline())) {
                return timedOut(call);
            }
            return new CallResult.Failure(failure(call, e));
        } catch (IllegalStateException e) {
            // Aborting an exchange while it is still acquiring its connection surfaces as this, not as an
            // IOException: "Endpoint not acquired", or a CancellationException when the pool's lease is cancelled
            // under the waiting thread (whose interrupt the pool may have consumed). Either the deadline did it,
            // or else the client left.
            if (!post.isCancelled() && !Thread.currentThread().isInterrupted()) {
                throw e;
            }
            return expired.get() ? timedOut(call) : new CallResult.Failure(Refusals.cancelled());
        } finally {
            deadline.cancel();
            if (Thread.currentThread().isInterrupted()) {
                post.cancel();
            }
        }
    }

    private Refusal failure(ToolCall call, IOException cause) {
        return switch (cause) {
            case ConnectTimeoutException e -> Refusals.backendUnavailable(name, "connect timed out", DEFAULT_RETRY_AFTER);
            case SocketTimeoutException e -> Refusals.backendTimeout(name, Duration.between(call.receivedAt(), call.deadline()));
            case ConnectException e -> Refusals.backendUnavailable(name, "connection refused", DEFAULT_RETRY_AFTER);
            case AnswerTooLarge e -> Refusals.badGateway(name, e.getMessage());
            default -> Refusals.backendUnavailable(name, "connection failed: " + cause.getClass().getSimpleName(), DEFAULT_RETRY_AFTER);
        };
    }

    private CallResult timedOut(ToolCall call) {
        return new CallResult.Failure(Refusals.backendTimeout(name, Duration.between(call.receivedAt(), call.deadline())));
    }

    private CallResult answer(ToolCall call, ClassicHttpResponse response) throws IOException {
        int status = response.getCode();
        if (status == 429 || status == 503) {
            return new CallResult.Failure(Refusals.backendThrottled(name, status,
                    retryAfter(response.getFirstHeader("Retry-After")).orElse(DEFAULT_RETRY_AFTER)));
        }
        // SOAP 1.1 sends faults with HTTP 500, so 500 is read before it is judged.
        if (status != 200 && status != 500) {
            return new CallResult.Failure(Refusals.badGateway(name, "HTTP " + status));
        }
        byte[] body = read(response.getEntity());
        // Passthrough calls keep the answer as it came, to relay it; it is still read, so faults count the same.
        RawMessage raw = call.original() == null ? null : new RawMessage(status, contentType(response), body);
        try {
            return switch (SoapResponses.parse(call.tool(), body)) {
                case SoapResponses.Result r -> new CallResult.Success(r.body(), raw);
                case SoapResponses.Fault f -> {
                    if (!f.code().toLowerCase(java.util.Locale.ROOT).endsWith("client")) {
                        LOG.warn("SOAP {} fault from {}: {}", f.code(), name, f.string(), kv("event", "soap.server_fault"),
                                kv("backend", name), kv("tool", call.tool().name()));
                    }
                    Refusal refusal = Refusals.soapFault(name, f.code(), f.string());
                    // Only a Client fault is relayed as it came; a Server fault's text stays in the log.
                    yield new CallResult.Failure(refusal, Refusals.SOAP_CLIENT_FAULT.equals(refusal.outcome()) ? raw : null);
                }
            };
        } catch (SoapResponses.UnreadableResponse e) {
            return new CallResult.Failure(Refusals.badGateway(name, "HTTP " + status + ", " + e.getMessage()));
        }
    }

    private static String contentType(ClassicHttpResponse response) {
        Header header = response.getFirstHeader("Content-Type");
        return header == null ? SOAP_XML.toString() : header.getValue();
    }

    /** The body, refusing one larger than the cap rather than buffering it. */
    private static byte[] read(HttpEntity entity) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        long length = entity.getContentLength();
        if (length > MAX_ANSWER_BYTES) {
            throw new AnswerTooLarge(MAX_ANSWER_BYTES);
        }
        try (InputStream in = entity.getContent()) {
            // A declared length is read into an array of that size; readNBytes would allocate 16 KB chunks first.
            byte[] body = length >= 0 ? in.readNBytes((int) length) : in.readNBytes(MAX_ANSWER_BYTES + 1);
            if (body.length > MAX_ANSWER_BYTES) {
                throw new AnswerTooLarge(MAX_ANSWER_BYTES);
            }
            return body;
        }
    }

    private static Optional<Duration> retryAfter(Header header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(1, Long.parseLong(header.getValue().trim()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A TCP connect, not a SOAP call: proves the service listens without adding work to it. */
    @Override
    public Reachability probe() {
        URI endpoint = config.endpoint();
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
        return Reachability.connect(endpoint.getHost(), port, config.connectTimeout());
    }

    public void close() {
        deadlines.stop();
        try {
            http.close();
        } catch (IOException ignored) {
            // Closing idle pooled connections; nothing left to do.
        }
    }
}
