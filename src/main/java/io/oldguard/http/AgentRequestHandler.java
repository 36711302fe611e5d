package io.oldguard.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.oldguard.audit.Events;
import io.oldguard.call.CallControl;
import io.oldguard.call.CallRecorder;
import io.oldguard.call.CallResult;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.catalog.Tool;
import io.oldguard.config.Durations;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.halt.HaltGuard;
import io.oldguard.identity.AgentDirectory;
import io.oldguard.identity.IdentityGuard;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.passthrough.SoapPassthrough;
import io.oldguard.policy.PolicySet;
import io.oldguard.ratelimit.RateLimitGuard;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON tool API and the SOAP passthrough's plumbing: routes a request, identifies the caller, decodes a call
 * into a {@link ToolCall} and hands it to the {@link ToolCallHandler}. A small call of an agent with no halt on
 * record is decoded and started on this event loop ({@link ToolCallHandler#start}), and stays on it unless a step
 * must wait; any other is decoded and handled on a virtual thread. A client that disconnects cancels its call.
 */
final class AgentRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRequestHandler.class);
    private static final String TOOLS = "/v1/tools";
    private static final String TOOLS_PREFIX = "/v1/tools/";
    /** A client may shorten, never lengthen, a call's deadline, e.g. {@code Oldguard-Timeout: 800ms}. */
    static final String TIMEOUT_HEADER = "Oldguard-Timeout";
    private static final String SOAP_ACTION = "SOAPAction";
    /** A request body up to this size is decoded on the event loop: a few microseconds (BENCHMARKS.md). */
    private static final int ON_LOOP_BODY_BYTES = 16 * 1024;

    /** What every connection's handler shares; built once per server. */
    record Shared(AgentDirectory agents, IdentityGuard identity,
            HaltGuard halts, RateLimitGuard rateLimits, Supplier<PolicySet> policies, ToolCallHandler calls, BoundedJson json, ExecutorService workers,
            Map<String, Duration> backendTimeouts, CallMetrics metrics, Clock clock, SoapPassthrough soap) {
    }

    private final Shared shared;

    AgentRequestHandler(Shared shared) {
        super(true);
        this.shared = shared;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String requestId = RequestIds.from(request.headers());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            reject(ctx, Refusals.badRequest("The request is not valid HTTP/1.1: "
                    + request.decoderResult().cause().getMessage()), requestId, false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals(TOOLS)) {
            if (!HttpMethod.GET.equals(request.method())) {
                reject(ctx, Refusals.methodNotAllowed(request.method().name(), path, List.of("GET")), requestId, keepAlive);
                return;
            }
            listTools(ctx, request, requestId, keepAlive);
        } else if (path.startsWith(TOOLS_PREFIX) && path.length() > TOOLS_PREFIX.length()) {
            if (!HttpMethod.POST.equals(request.method())) {
                reject(ctx, Refusals.methodNotAllowed(request.method().name(), path, List.of("POST")), requestId, keepAlive);
                return;
            }
            callTool(ctx, request, path.substring(TOOLS_PREFIX.length()), requestId, keepAlive);
        } else if (shared.soap().serves(path)) {
            soapCall(ctx, request, path, requestId, keepAlive);
        } else {
            reject(ctx, Refusals.notFound(path), requestId, keepAlive);
        }
    }

    private void listTools(ChannelHandlerContext ctx, FullHttpRequest request, String requestId, boolean keepAlive) {
        Caller caller = shared.agents().identify(bearer(request));
        if (shared.identity().check(caller) instanceof Refusal refusal) {
            reject(ctx, refusal, requestId, keepAlive);
            return;
        }
        String agent = ((Caller.Agent) caller).id();
        boolean openAi = "openai".equals(param(request, "format"));
        // The halt check may touch the halts file (a lifted cool-off), so it runs off the event loop too.
        shared.workers().submit(() -> {
            if (shared.halts().check(agent) instanceof Refusal refusal) {
                refuseCall(ctx, refusal, requestId, keepAlive);
                return;
            }
            if (shared.rateLimits().chargeListing(agent, "GET " + TOOLS) instanceof Refusal refusal) {
                refuseCall(ctx, refusal, requestId, keepAlive);
                return;
            }
            PolicySet policies = shared.policies().get();
            var visible = policies.toolsGrantedTo(agent);
            Object body = openAi ? ToolListing.openAi(policies, visible) : ToolListing.describe(policies, visible);
            finish(ctx, HttpResponses.json(HttpResponseStatus.OK, body, requestId), keepAlive);
        });
    }

    private void callTool(ChannelHandlerContext ctx, FullHttpRequest request, String toolName, String requestId,
            boolean keepAlive) {
        Instant received = shared.clock().instant();
        // Identity is settled before anything else so an unknown caller learns nothing, not even tool names.
        Caller caller = shared.agents().identify(bearer(request));
        if (shared.identity().check(caller) instanceof Refusal refusal) {
            reject(ctx, refusal, requestId, keepAlive);
            return;
        }
        String agent = ((Caller.Agent) caller).id();
        JsonCall json = new JsonCall(caller, agent, toolName, request.headers().get(HttpHeaderNames.CONTENT_TYPE),
                request.headers().get(TIMEOUT_HEADER), ByteBufUtil.getBytes(request.content()), received, requestId);
        if (json.body().length <= ON_LOOP_BODY_BYTES && !shared.halts().mayBlock(agent)) {
            // Small, and no halt on record that the halts file may have to lift: decoded and started right here.
            CallControl control = new CallControl(ctx.channel().eventLoop(), shared.workers());
            watchClose(ctx, control::cancel);
            Object decoded = decode(json);
            if (decoded instanceof ToolCall call) {
                shared.calls().start(call, CallRecorder.JSON, control)
                        .whenComplete((result, failure) -> finish(ctx, respond(call, result), keepAlive));
            } else {
                refuseCall(ctx, (Refusal) decoded, requestId, keepAlive);
            }
            return;
        }
        submit(ctx, () -> {
            Object decoded = decode(json);
            if (decoded instanceof Refusal refusal) {
                refuseCall(ctx, refusal, requestId, keepAlive);
                return;
            }
            ToolCall call = (ToolCall) decoded;
            finish(ctx, respond(call, shared.calls().handle(call, CallRecorder.JSON)), keepAlive);
        });
    }

    /** What a JSON tool call's decoding needs, copied off the request on the event loop. */
    private record JsonCall(Caller caller, String agent, String toolName, String contentType, String timeout,
            byte[] body, Instant received, String requestId) {
    }

    /**
     * The call, or why not: a halted agent is answered 423 whatever else is wrong (checked before the tool is
     * looked up), so it learns nothing about tools, not even which names exist; a well-formed call of a halted
     * agent still goes to the guards, which refuse it and count it as a call.
     */
    private Object decode(JsonCall json) {
        Refusal halted = shared.halts().check(json.agent()) instanceof Refusal r ? r : null;
        Tool tool = shared.policies().get().catalog().find(json.toolName()).orElse(null);
        if (tool == null) {
            return unlessHalted(halted, Refusals.unknownTool(json.toolName(), shared.policies().get().toolsGrantedTo(json.agent())));
        }
        if (!isJson(json.contentType())) {
            return unlessHalted(halted, Refusals.unsupportedMediaType(json.contentType()));
        }
        Duration toolTimeout = shared.policies().get().timeoutOf(tool.name(), shared.backendTimeouts().get(tool.backend()));
        Duration chosen = toolTimeout;
        if (json.timeout() != null) {
            Duration shorter = clientTimeout(json.timeout());
            if (shorter == null) {
                return unlessHalted(halted, Refusals.badRequest(TIMEOUT_HEADER + " must be a duration "
                        + "such as 500ms or 2s (got \"" + json.timeout() + "\"); it can only shorten the tool's timeout of "
                        + toolTimeout.toMillis() + " ms."));
            }
            chosen = shortest(toolTimeout, shorter);
        }
        BoundedJson.Parsed parsed = shared.json().parse(json.body());
        if (parsed.refusal() != null) {
            return unlessHalted(halted, parsed.refusal());
        }
        return new ToolCall(json.requestId(), json.caller(), tool, parsed.arguments(), json.received(),
                json.received().plus(chosen), chosen.compareTo(toolTimeout) < 0);
    }

    private static FullHttpResponse respond(ToolCall call, CallResult result) {
        return switch (result) {
            case CallResult.Success s -> HttpResponses.json(HttpResponseStatus.OK, success(call, s.result()), call.requestId());
            case CallResult.Failure f -> HttpResponses.problem(f.refusal(), call.requestId());
            case null -> HttpResponses.problem(Refusals.internalError(call.requestId()), call.requestId());
        };
    }

    /**
     * The SOAP passthrough: headers checked here; a small plain envelope of a caller with no halt on record is read
     * and started here too, any other on a virtual thread.
     */
    private void soapCall(ChannelHandlerContext ctx, FullHttpRequest request, String path, String requestId,
            boolean keepAlive) {
        Instant received = shared.clock().instant();
        Caller caller = shared.agents().identify(bearer(request));
        Refusal early = shared.identity().check(caller) instanceof Refusal r ? r
                : shared.soap().precheck(request.method(), request.headers(), path);
        if (early != null) {
            write(ctx, shared.soap().refused(early, requestId), keepAlive && !"close".equals(early.headers().get("Connection")));
            return;
        }
        SoapPassthrough.Request soap = new SoapPassthrough.Request(path, caller,
                request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.headers().get(HttpHeaderNames.CONTENT_ENCODING),
                request.headers().get(SOAP_ACTION), ByteBufUtil.getBytes(request.content()), received, requestId);
        String agent = ((Caller.Agent) caller).id();
        if (soap.body().length <= ON_LOOP_BODY_BYTES && soap.contentEncoding() == null && !shared.halts().mayBlock(agent)) {
            CallControl control = new CallControl(ctx.channel().eventLoop(), shared.workers());
            watchClose(ctx, control::cancel);
            shared.soap().start(soap, control).whenComplete((response, failure) -> finish(ctx, response != null ? response
                    : shared.soap().refused(Refusals.internalError(requestId), requestId), keepAlive));
            return;
        }
        // The halt before the envelope is read: a halted client is not told the service's operations either.
        submit(ctx, () -> finish(ctx, shared.soap().handle(soap,
                shared.halts().check(agent) instanceof Refusal halted ? halted : null), keepAlive));
    }

    /**
     * Runs a call's blocking work (parsing, guards, the backend) on a virtual thread, never on this event loop;
     * the work ends by {@link #finish}. A client that disconnects first cancels it.
     */
    private void submit(ChannelHandlerContext ctx, Runnable work) {
        Future<?> running = shared.workers().submit(work);
        watchClose(ctx, () -> running.cancel(true));
    }

    /** A client that disconnects before its answer cancels its call. */
    private static void watchClose(ChannelHandlerContext ctx, Runnable cancel) {
        ChannelFutureListener cancelOnClose = f -> cancel.run();
        ctx.channel().closeFuture().addListener(cancelOnClose);
        ctx.channel().attr(PendingCall.KEY).set(new PendingCall(cancelOnClose));
    }

    /** What a halted agent is told instead of {@code refusal}, which could name or confirm its tools. */
    private static Refusal unlessHalted(Refusal halted, Refusal refusal) {
        return halted != null ? halted : refusal;
    }

    private static ObjectNode success(ToolCall call, ObjectNode result) {
        ObjectNode body = HttpResponses.JSON.createObjectNode();
        body.put("requestId", call.requestId());
        body.put("tool", call.tool().name());
        body.set("result", result);
        return body;
    }

    /** A request refused off the routing step (while decoding, or a listing's halt and limit): from any thread. */
    private void refuseCall(ChannelHandlerContext ctx, Refusal refusal, String requestId, boolean keepAlive) {
        shared.metrics().rejected(refusal.outcome());
        logRejected(refusal, requestId);
        finish(ctx, HttpResponses.problem(refusal, requestId), keepAlive);
    }

    /** Writes a call's answer, from any thread: on the connection's event loop, where the call's watch ends. */
    private static void finish(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!ctx.channel().eventLoop().inEventLoop()) {
            ctx.channel().eventLoop().execute(() -> finish(ctx, response, keepAlive));
            return;
        }
        PendingCall pending = ctx.channel().attr(PendingCall.KEY).getAndSet(null);
        if (pending != null) {
            ctx.channel().closeFuture().removeListener(pending.cancelOnClose());
        }
        write(ctx, response, keepAlive);
    }

    private void reject(ChannelHandlerContext ctx, Refusal refusal, String requestId, boolean keepAlive) {
        shared.metrics().rejected(refusal.outcome());
        logRejected(refusal, requestId);
        write(ctx, HttpResponses.problem(refusal, requestId), keepAlive && !"close".equals(refusal.headers().get("Connection")));
    }

    private static void logRejected(Refusal refusal, String requestId) {
        LOG.info("request refused: {}", refusal.outcome(), kv("event", Events.REQUEST_REJECTED),
                kv("requestId", requestId), kv("outcome", refusal.outcome()), kv("status", refusal.status()));
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ChannelFuture f = ctx.writeAndFlush(response);
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection failed", cause);
        ctx.close();
    }

    private static String bearer(FullHttpRequest request) {
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return auth.substring(7).strip();
    }

    private static Duration shortest(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration clientTimeout(String text) {
        try {
            Duration d = Durations.parse(text);
            return d.isZero() ? null : d;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String param(FullHttpRequest request, String name) {
        List<String> values = new QueryStringDecoder(request.uri()).parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return mime.equalsIgnoreCase("application/json");
    }
}
