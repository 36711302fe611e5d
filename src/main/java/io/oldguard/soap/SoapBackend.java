package io.oldguard.soap;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import io.oldguard.call.AsyncBackend;
import io.oldguard.call.CallControl;
import io.oldguard.call.CallResult;
import io.oldguard.call.Reachability;
import io.oldguard.call.RawMessage;
import io.oldguard.call.ToolCall;
import io.oldguard.config.SoapBackendConfig;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.http.RequestIds;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries calls to a legacy SOAP 1.1 service over pooled HTTP/1.1 keep-alive connections on Netty
 * ({@link SoapConnections}). A call started on an agent connection's event loop ({@link #start}) is sent and
 * answered on that loop, with no thread hand-off; a call from a worker thread ({@link #invoke}) waits for the same
 * exchange. The admission bulkhead in front of it ({@code maxConnections} calls in flight) caps the pool too. The
 * whole exchange ends at the call's deadline, whatever phase it is in; a client that goes away cuts it off as
 * well. It never retries: a retry is the agent's decision, made with the {@code Retry-After} oldguard gives it. A
 * call from the SOAP passthrough carries its client's envelope, which is sent as it is, and gets the service's
 * answer back as it came.
 */
public final class SoapBackend implements AsyncBackend {

    private static final Logger LOG = LoggerFactory.getLogger(SoapBackend.class);

    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    /** Far above any inventory answer; a larger one is a broken or hostile backend. */
    static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;
    /** An answer up to this size is read on the event loop; a larger one on a virtual thread. */
    private static final int READ_ON_LOOP_BYTES = 64 * 1024;
    private static final AsciiString SOAP_XML = AsciiString.cached("text/xml; charset=UTF-8");
    private static final AsciiString SOAP_ACTION = AsciiString.cached("SOAPAction");

    /** Why an exchange was cut off by oldguard itself. */
    private static final class DeadlineReached extends IOException {
        DeadlineReached() {
            super("deadline reached");
        }
    }

    private static final class Cancelled extends IOException {
        Cancelled() {
            super("client gone");
        }
    }

    private final String name;
    private final SoapBackendConfig config;
    private final SoapConnections connections;
    private final String target;
    private final AsciiString hostHeader;
    // The quoted SOAPAction of each operation, encoded once; as many as the WSDL has operations.
    private final Map<String, AsciiString> quotedActions = new ConcurrentHashMap<>();
    private final Clock clock;

    public SoapBackend(String name, SoapBackendConfig config, Clock clock) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.connections = new SoapConnections(name, config.endpoint(), config.maxConnections(), config.connectTimeout());
        URI endpoint = config.endpoint();
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        this.target = endpoint.getRawQuery() == null ? path : path + "?" + endpoint.getRawQuery();
        this.hostHeader = AsciiString.of(endpoint.getPort() > 0 ? endpoint.getHost() + ":" + endpoint.getPort()
                : String.valueOf(endpoint.getHost()));
    }

    public String name() {
        return name;
    }

    /** Blocking: on a worker thread, which waits for the exchange; an interrupt (client gone) cuts it off. */
    @Override
    public CallResult invoke(ToolCall call) {
        Duration remaining = Duration.between(clock.instant(), call.deadline());
        if (remaining.isNegative() || remaining.isZero()) {
            return timedOut(call);
        }
        SoapExchange exchange = exchange(call, null, remaining);
        try {
            return answer(call, exchange.answer().get());
        } catch (InterruptedException e) {
            exchange.abort(new Cancelled());
            Thread.currentThread().interrupt();
            return new CallResult.Failure(Refusals.cancelled());
        } catch (ExecutionException e) {
            return failed(call, e.getCause());
        }
    }

    @Override
    public CompletableFuture<CallResult> start(ToolCall call, CallControl control) {
        Duration remaining = Duration.between(clock.instant(), call.deadline());
        if (remaining.isNegative() || remaining.isZero()) {
            return CompletableFuture.completedFuture(timedOut(call));
        }
        SoapExchange exchange = exchange(call, control.loop(), remaining);
        control.onCancel(() -> exchange.abort(new Cancelled()));
        return exchange.answer().handle((answer, failure) -> failure)
                .thenCompose(failure -> {
                    if (failure != null) {
                        return CompletableFuture.completedFuture(failed(call, failure));
                    }
                    SoapExchange.Answer answer = exchange.answer().resultNow();
                    // A large answer is read on a virtual thread, so the loop's other connections do not wait on it.
                    return answer.body().length <= READ_ON_LOOP_BYTES ? CompletableFuture.completedFuture(answer(call, answer))
                            : control.offload(() -> answer(call, answer));
                });
    }

    /** Sends the call and arms its deadline, which cuts the exchange off wherever it is. */
    private SoapExchange exchange(ToolCall call, EventLoop loop, Duration remaining) {
        SoapExchange exchange = SoapExchange.send(connections, loop, request(call));
        ScheduledFuture<?> deadline = connections.timerOn(loop).schedule(() -> exchange.abort(new DeadlineReached()),
                remaining.toNanos(), TimeUnit.NANOSECONDS);
        exchange.answer().whenComplete((answer, failure) -> deadline.cancel(false));
        return exchange;
    }

    private FullHttpRequest request(ToolCall call) {
        // A passthrough call forwards its client's envelope byte for byte; the others are built from the arguments.
        boolean relayed = call.original() != null;
        byte[] body = relayed ? call.original().body() : SoapEnvelopes.request(call.tool(), call.arguments());
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target,
                Unpooled.wrappedBuffer(body));
        HttpHeaders headers = request.headers();
        headers.set(HttpHeaderNames.HOST, hostHeader);
        headers.set(HttpHeaderNames.CONTENT_TYPE, relayed ? call.original().contentType() : SOAP_XML);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        headers.set(SOAP_ACTION, quotedActions.computeIfAbsent(call.tool().soap().soapAction(),
                action -> AsciiString.cached("\"" + action + "\"")));
        headers.set(RequestIds.HEADER, call.requestId());
        return request;
    }

    private CallResult failed(ToolCall call, Throwable cause) {
        Throwable why = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        return switch (why) {
            case Cancelled e -> new CallResult.Failure(Refusals.cancelled());
            case DeadlineReached e -> timedOut(call);
            case ConnectTimeoutException e -> new CallResult.Failure(
                    Refusals.backendUnavailable(name, "connect timed out", DEFAULT_RETRY_AFTER));
            case ConnectException e -> new CallResult.Failure(
                    Refusals.backendUnavailable(name, "connection refused", DEFAULT_RETRY_AFTER));
            case TooLongFrameException e -> new CallResult.Failure(
                    Refusals.badGateway(name, "the answer is larger than " + MAX_ANSWER_BYTES + " bytes"));
            default -> {
                if (!clock.instant().isBefore(call.deadline())) {
                    yield timedOut(call);
                }
                LOG.debug("exchange with {} failed", name, why);
                yield new CallResult.Failure(Refusals.backendUnavailable(name,
                        "connection failed: " + why.getClass().getSimpleName(), DEFAULT_RETRY_AFTER));
            }
        };
    }

    private CallResult timedOut(ToolCall call) {
        return new CallResult.Failure(Refusals.backendTimeout(name, Duration.between(call.receivedAt(), call.deadline())));
    }

    private CallResult answer(ToolCall call, SoapExchange.Answer response) {
        int status = response.status();
        if (status == 429 || status == 503) {
            return new CallResult.Failure(Refusals.backendThrottled(name, status,
                    retryAfter(response.retryAfter()).orElse(DEFAULT_RETRY_AFTER)));
        }
        // SOAP 1.1 sends faults with HTTP 500, so 500 is read before it is judged.
        if (status != 200 && status != 500) {
            return new CallResult.Failure(Refusals.badGateway(name, "HTTP " + status));
        }
        byte[] body = response.body();
        // Passthrough calls keep the answer as it came, to relay it; it is still read as far as telling a fault from
        // the promised answer, so faults count the same.
        RawMessage raw = call.original() == null ? null
                : new RawMessage(status, response.contentType() == null ? SOAP_XML.toString() : response.contentType(), body);
        try {
            return switch (SoapResponses.parse(call.tool(), body, raw == null)) {
                case SoapResponses.Result r -> new CallResult.Success(r.body(), raw);
                case SoapResponses.Fault f -> {
                    if (!f.code().toLowerCase(Locale.ROOT).endsWith("client")) {
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

    private static Optional<Duration> retryAfter(String header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(1, Long.parseLong(header.trim()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A TCP connect, not a SOAP call: proves the service listens without adding work to it. */
    @Override
    public Reachability probe() {
        return Reachability.connect(connections.host(), connections.port(), config.connectTimeout());
    }

    public void close() {
        connections.close();
    }
}
