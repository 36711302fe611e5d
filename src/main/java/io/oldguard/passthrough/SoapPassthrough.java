package io.oldguard.passthrough;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.oldguard.audit.Events;
import io.oldguard.call.CallControl;
import io.oldguard.call.CallRecorder;
import io.oldguard.call.CallResult;
import io.oldguard.call.Caller;
import io.oldguard.call.RawMessage;
import io.oldguard.call.ToolCall;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.catalog.SoapOperation;
import io.oldguard.catalog.Tool;
import io.oldguard.config.SidecarConfig;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.http.RequestIds;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.policy.PolicySet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import javax.xml.namespace.QName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SOAP passthrough: legacy clients post envelopes to the agent port at their service's own path. An
 * envelope is read under hard limits ({@link EnvelopeReader}), decoded into the same {@link ToolCall} a JSON call
 * becomes (so it meets the same guards, violations, halts and metrics), and, once allowed, its original bytes are
 * forwarded and the service's answer relayed as it came — a result or a Client fault; a Server fault's text
 * (the 2008 service puts raw database errors there) goes to the log, and the client gets oldguard's fault.
 * Everything oldguard refuses is a SOAP fault ({@link SoapFaults}).
 */
public final class SoapPassthrough {

    private static final Logger LOG = LoggerFactory.getLogger(SoapPassthrough.class);
    // A gzip body may inflate to at most this many times the compressed bytes read, beyond the allowance.
    static final int MAX_INFLATION_RATIO = 200;
    static final int INFLATION_ALLOWANCE = 64 * 1024;

    /** The request headers the work off the event loop needs, copied there. */
    public record Request(String path, Caller caller, String contentType, String contentEncoding, String soapAction,
            byte[] body, Instant receivedAt, String requestId) {
    }

    private record Operations(PolicySet set, Map<String, Map<QName, Tool>> byBackend) {
    }

    private final Map<String, String> backendByPath;
    // Racing threads may each build it once after a reload; every one builds the same thing.
    private volatile Operations operations;
    private final EnvelopeReader reader;
    private final int maxBodyBytes;
    private final Supplier<PolicySet> policies;
    private final Map<String, Duration> backendTimeouts;
    private final ToolCallHandler calls;
    private final CallMetrics metrics;
    private final Clock clock;

    public SoapPassthrough(SidecarConfig config, Supplier<PolicySet> policies, Map<String, Duration> backendTimeouts,
            ToolCallHandler calls, CallMetrics metrics, Clock clock) {
        Map<String, String> paths = new HashMap<>();
        config.backends().forEach((name, backend) -> paths.put(backend.passthroughPath(), name));
        this.backendByPath = Map.copyOf(paths);
        this.reader = new EnvelopeReader(config.requests().xml());
        this.maxBodyBytes = config.requests().maxBodyBytes();
        this.policies = policies;
        this.backendTimeouts = Map.copyOf(backendTimeouts);
        this.calls = calls;
        this.metrics = metrics;
        this.clock = clock;
    }

    public boolean serves(String path) {
        return backendByPath.containsKey(path);
    }

    /** What can be refused from the headers alone, on the event loop; null when the body should be read. */
    public Refusal precheck(HttpMethod method, HttpHeaders headers, String path) {
        if (!HttpMethod.POST.equals(method)) {
            return Refusals.methodNotAllowed(method.name(), path, List.of("POST"));
        }
        String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !mediaType(contentType).equals("text/xml")) {
            return Refusals.unsupportedSoapMediaType(contentType);
        }
        String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !List.of("identity", "gzip", "x-gzip").contains(encoding.strip().toLowerCase(Locale.ROOT))) {
            return Refusals.unsupportedContentEncoding(encoding);
        }
        return null;
    }

    /**
     * Reads, checks and carries out one envelope. Blocking (the call itself): runs on a virtual thread.
     *
     * @param halted the caller's halt, checked before the envelope is read: whatever is wrong with the envelope, a
     *               halted client is told only that (the reader's refusals name the service's operations); a
     *               well-formed call still meets the guards, which refuse it and count it as a call. Null: not halted
     */
    public FullHttpResponse handle(Request request, Refusal halted) {
        try {
            return answer(calls.handle(decode(request), CallRecorder.SOAP), request.requestId());
        } catch (EnvelopeReader.Refused e) {
            return refused(halted != null ? halted : e.refusal(), request.requestId());
        } catch (RuntimeException e) {
            return failed(request, e);
        }
    }

    /**
     * Reads and checks one envelope of a caller with no halt on record on the agent connection's event loop, and
     * starts its call there ({@link ToolCallHandler#start}); the answer comes when the call ends. For envelopes the
     * caller knows are small and not compressed: reading them costs a few microseconds.
     */
    public CompletableFuture<FullHttpResponse> start(Request request, CallControl control) {
        try {
            return calls.start(decode(request), CallRecorder.SOAP, control)
                    .thenApply(result -> answer(result, request.requestId()))
                    .exceptionally(e -> failed(request, e));
        } catch (EnvelopeReader.Refused e) {
            return CompletableFuture.completedFuture(refused(e.refusal(), request.requestId()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failed(request, e));
        }
    }

    /** The envelope as a call: inflated, read under the limits, its SOAPAction checked against its operation. */
    private ToolCall decode(Request request) throws EnvelopeReader.Refused {
        byte[] envelope = inflated(request);
        String backend = backendByPath.get(request.path());
        String httpCharset = charset(request.contentType());
        EnvelopeReader.Decoded decoded = reader.read(envelope,
                httpCharset == null ? null : PassthroughCharsets.named(httpCharset), operationsOf(backend));
        SoapOperation operation = decoded.tool().soap();
        String action = unquoted(request.soapAction());
        if (!action.isEmpty() && !action.equals(operation.soapAction())) {
            throw new EnvelopeReader.Refused(Refusals.soapActionMismatch("SOAPAction header", action,
                    operation.requestElement().getLocalPart(),
                    operation.soapAction()));
        }
        Tool tool = decoded.tool();
        Duration timeout = policies.get().timeoutOf(tool.name(), backendTimeouts.get(tool.backend()));
        return new ToolCall(request.requestId(), request.caller(), tool, decoded.arguments(),
                request.receivedAt(), request.receivedAt().plus(timeout), false,
                // The service is told the one charset oldguard read the bytes in.
                RawMessage.request("text/xml; charset=" + decoded.charset().name(), envelope));
    }

    /** The service's answer as it came, or oldguard's fault. */
    private FullHttpResponse answer(CallResult result, String requestId) {
        if (result.answer() != null) {
            return relay(result.answer(), requestId);
        }
        return SoapFaults.fault(result instanceof CallResult.Failure f ? f.refusal() : Refusals.internalError(requestId),
                requestId);
    }

    /** A bug, not the client's doing: logged in full, answered without internals. */
    private static FullHttpResponse failed(Request request, Throwable e) {
        LOG.error("SOAP passthrough failed", kv("event", Events.INTERNAL_ERROR), kv("requestId", request.requestId()), e);
        return SoapFaults.fault(Refusals.internalError(request.requestId()), request.requestId());
    }

    /** A refusal made before the envelope became a call: counted and logged as the JSON API does. */
    public FullHttpResponse refused(Refusal refusal, String requestId) {
        metrics.rejected(refusal.outcome());
        LOG.info("SOAP request refused: {}", refusal.outcome(), kv("event", Events.REQUEST_REJECTED),
                kv("requestId", requestId), kv("outcome", refusal.outcome()), kv("status", refusal.status()));
        return SoapFaults.fault(refusal, requestId);
    }

    /** Each backend's operations by request element, for the policy set in force; rebuilt only after a reload. */
    private Map<QName, Tool> operationsOf(String backend) {
        PolicySet set = policies.get();
        Operations known = operations;
        if (known == null || known.set() != set) {
            Map<String, Map<QName, Tool>> byBackend = new HashMap<>();
            for (Tool tool : set.catalog().all()) {
                if (tool.binding() instanceof SoapOperation soap) {
                    byBackend.computeIfAbsent(tool.backend(), b -> new HashMap<>()).put(soap.requestElement(), tool);
                }
            }
            known = new Operations(set, byBackend);
            operations = known;
        }
        return known.byBackend().getOrDefault(backend, Map.of());
    }

    /**
     * The envelope, inflated under the body limit if it came gzipped. It is inflated twice: once into nothing, to
     * learn its size, then into an array of exactly that size. A bomb is refused having allocated next to nothing
     * (reading it into a growing buffer cost twice the body limit), and a body that passes costs no more than the
     * same body sent plain; gzipped envelopes are small, so the second inflation is cheap.
     *
     * <p>Inflating costs time as well (about 3 ms per MiB of a bomb's output on this kind of machine), so the first
     * pass also stops once the output grows past {@value #MAX_INFLATION_RATIO} times the input read so far (plus
     * {@value #INFLATION_ALLOWANCE} bytes, so short envelopes never meet the ratio): a bomb is refused after about
     * 100 KiB of output, whatever the body limit, while XML envelopes compress far less than that.
     */
    private byte[] inflated(Request request) throws EnvelopeReader.Refused {
        String encoding = request.contentEncoding();
        if (encoding == null || encoding.strip().equalsIgnoreCase("identity")) {
            return request.body();
        }
        try {
            long size = 0;
            ByteArrayInputStream compressed = new ByteArrayInputStream(request.body());
            try (InputStream in = new GZIPInputStream(compressed)) {
                byte[] scratch = new byte[16 * 1024];
                for (int n; size <= maxBodyBytes && (n = in.read(scratch)) != -1; ) {
                    size += n;
                    long read = request.body().length - compressed.available();
                    if (size > (long) MAX_INFLATION_RATIO * read + INFLATION_ALLOWANCE) {
                        throw new EnvelopeReader.Refused(Refusals.inflatesTooFar(MAX_INFLATION_RATIO));
                    }
                }
            }
            if (size > maxBodyBytes) {
                throw new EnvelopeReader.Refused(Refusals.inflatedTooLarge(maxBodyBytes));
            }
            byte[] inflated = new byte[(int) size];
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(request.body()))) {
                in.readNBytes(inflated, 0, inflated.length);
            }
            return inflated;
        } catch (IOException e) {
            throw new EnvelopeReader.Refused(Refusals.malformedXml("the gzip body cannot be inflated: " + e.getMessage()));
        }
    }

    private FullHttpResponse relay(RawMessage answer, String requestId) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
                .set(RequestIds.HEADER, requestId);
        return response;
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static String charset(String contentType) {
        // Each ;-separated parameter in turn, without splitting the whole header into an array first.
        for (int from = 0; from < contentType.length(); ) {
            int semicolon = contentType.indexOf(';', from);
            int end = semicolon < 0 ? contentType.length() : semicolon;
            String p = contentType.substring(from, end).strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String value = p.substring(8).strip();
                return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1) : value;
            }
            from = end + 1;
        }
        return null;
    }

    private static String unquoted(String soapAction) {
        if (soapAction == null) {
            return "";
        }
        String action = soapAction.strip();
        if (action.length() >= 2 && action.startsWith("\"") && action.endsWith("\"")) {
            action = action.substring(1, action.length() - 1).strip();
        }
        return action;
    }
}
