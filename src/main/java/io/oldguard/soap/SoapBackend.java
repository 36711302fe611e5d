package io.oldguard.soap;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.call.Backend;
import io.oldguard.call.CallResult;
import io.oldguard.call.ToolCall;
import io.oldguard.config.SoapBackendConfig;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries calls to a legacy SOAP 1.1 service over HTTP/1.1 keep-alive connections. The JDK client keeps idle
 * connections for reuse; the admission bulkhead in front of it ({@code maxConnections} calls in flight) caps how
 * many are ever open, because HTTP/1.1 uses one connection per request in flight. Connecting and waiting for the
 * answer end at the call's deadline; an interrupted call (client gone) cancels its exchange. It never retries: a
 * retry is the agent's decision, made with the {@code Retry-After} oldguard gives it.
 */
public final class SoapBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(SoapBackend.class);

    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    /** Far above any inventory answer; a larger one is a broken or hostile backend. */
    private static final long MAX_ANSWER_BYTES = 16L * 1024 * 1024;

    private final String name;
    private final SoapBackendConfig config;
    private final HttpClient http;
    private final Clock clock;

    public SoapBackend(String name, SoapBackendConfig config, Clock clock) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public String name() {
        return name;
    }

    @Override
    public CallResult invoke(ToolCall call) {
        return send(call);
    }

    private CallResult send(ToolCall call) {
        Duration remaining = Duration.between(clock.instant(), call.deadline());
        if (remaining.isNegative() || remaining.isZero()) {
            return new CallResult.Failure(Refusals.backendTimeout(name, Duration.between(call.receivedAt(), call.deadline())));
        }
        HttpRequest request = HttpRequest.newBuilder(config.endpoint())
                .timeout(remaining)
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "\"" + call.tool().soap().soapAction() + "\"")
                .header("X-Request-Id", call.requestId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(SoapEnvelopes.request(call.tool(), call.arguments())))
                .build();
        // sendAsync + a bounded wait, because the request timeout of the JDK client covers only the headers: the
        // deadline must hold for the body too, and a timed-out or cancelled exchange is cancelled.
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, LimitedBody.upTo(MAX_ANSWER_BYTES));
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(remaining.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return new CallResult.Failure(Refusals.backendTimeout(name, Duration.between(call.receivedAt(), call.deadline())));
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            return new CallResult.Failure(Refusals.cancelled());
        } catch (ExecutionException e) {
            return new CallResult.Failure(failure(call, e.getCause()));
        }
        return answer(call, response);
    }

    private Refusal failure(ToolCall call, Throwable cause) {
        return switch (cause) {
            case HttpConnectTimeoutException e -> Refusals.backendUnavailable(name, "connect timed out", DEFAULT_RETRY_AFTER);
            case HttpTimeoutException e -> Refusals.backendTimeout(name, Duration.between(call.receivedAt(), call.deadline()));
            case ConnectException e -> Refusals.backendUnavailable(name, "connection refused", DEFAULT_RETRY_AFTER);
            case LimitedBody.TooLarge e -> Refusals.badGateway(name, e.getMessage());
            default -> Refusals.backendUnavailable(name, "connection failed: " + cause.getClass().getSimpleName(), DEFAULT_RETRY_AFTER);
        };
    }

    private CallResult answer(ToolCall call, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status == 429 || status == 503) {
            return new CallResult.Failure(Refusals.backendThrottled(name, status,
                    retryAfter(response).orElse(DEFAULT_RETRY_AFTER)));
        }
        // SOAP 1.1 sends faults with HTTP 500, so 500 is read before it is judged.
        if (status != 200 && status != 500) {
            return new CallResult.Failure(Refusals.badGateway(name, "HTTP " + status));
        }
        try {
            return switch (SoapResponses.parse(call.tool(), response.body())) {
                case SoapResponses.Result r -> new CallResult.Success(r.body());
                case SoapResponses.Fault f -> {
                    if (!f.code().toLowerCase(java.util.Locale.ROOT).endsWith("client")) {
                        LOG.warn("SOAP {} fault from {}: {}", f.code(), name, f.string(), kv("event", "soap.server_fault"),
                                kv("backend", name), kv("tool", call.tool().name()));
                    }
                    yield new CallResult.Failure(Refusals.soapFault(name, f.code(), f.string()));
                }
            };
        } catch (SoapResponses.UnreadableResponse e) {
            return new CallResult.Failure(Refusals.badGateway(name, "HTTP " + status + ", " + e.getMessage()));
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(1, Long.parseLong(v.trim()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** A TCP connect, not a SOAP call: proves the service listens without adding work to it. */
    @Override
    public boolean reachable() {
        URI endpoint = config.endpoint();
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), port), (int) config.connectTimeout().toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public void close() {
        http.close();
    }
}
