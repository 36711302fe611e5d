package io.oldguard.mcp;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.oldguard.call.Caller;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.http.RequestIds;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The Streamable HTTP transport at {@code /mcp} on the agent port; every other path passes on to the JSON tool
 * API. On the event loop it only checks headers (origin, token, media types) and copies bytes; parsing, sessions
 * and calls run on a virtual thread in {@link McpEndpoint}. Answers to POSTs are single JSON bodies; a GET opens
 * the session's stream of notifications ({@link McpStreams}).
 */
public final class McpHandler extends ChannelInboundHandlerAdapter {

    public static final String PATH = "/mcp";
    private static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private final McpEndpoint endpoint;
    // Only touched on this channel's event loop, so they need no synchronisation.
    private int callsInProgress;
    /** The session whose notification stream this connection carries, once it does. */
    private String streamSession;
    private ChannelFutureListener cancelOnClose;

    public McpHandler(McpEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    public static boolean serves(String uri) {
        return new QueryStringDecoder(uri).path().equals(PATH);
    }

    /** How a refusal made before this handler saw the request (an oversized body) is answered at {@link #PATH}. */
    public static FullHttpResponse refusal(Refusal refusal, String requestId) {
        return McpReply.refused(refusal, null, requestId).toHttp(requestId);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !serves(request.uri())) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            handle(ctx, request);
        } finally {
            request.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        String requestId = RequestIds.from(request.headers());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpHeaders headers = request.headers();
        if (request.decoderResult().isFailure()) {
            write(ctx, endpoint.refused(Refusals.badRequest("The request is not valid HTTP/1.1: "
                    + request.decoderResult().cause().getMessage()), null, requestId), requestId, false);
            return;
        }
        // DNS rebinding: a page a browser loaded from elsewhere must not reach a sidecar on loopback.
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null && !loopbackOrigin(origin)) {
            write(ctx, endpoint.refused(Refusals.forbiddenOrigin(origin), null, requestId), requestId, keepAlive);
            return;
        }
        HttpMethod method = request.method();
        if (!HttpMethod.POST.equals(method) && !HttpMethod.DELETE.equals(method) && !HttpMethod.GET.equals(method)) {
            Refusal refusal = Refusals.methodNotAllowed(method.name(), PATH, List.of("POST", "GET", "DELETE"));
            write(ctx, endpoint.refused(refusal, null, requestId), requestId, keepAlive);
            return;
        }
        Caller caller = endpoint.identify(bearer(headers));
        Refusal unidentified = endpoint.refusalFor(caller);
        if (unidentified != null) {
            write(ctx, endpoint.refused(unidentified, null, requestId), requestId, keepAlive);
            return;
        }
        String agent = ((Caller.Agent) caller).id();
        if (HttpMethod.GET.equals(method)) {
            openStream(ctx, agent, headers, requestId, keepAlive);
            return;
        }
        if (HttpMethod.DELETE.equals(method)) {
            write(ctx, endpoint.delete(agent, headers.get(McpReply.SESSION_HEADER), headers.get(VERSION_HEADER), requestId),
                    requestId, keepAlive);
            return;
        }
        String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (!isJson(contentType)) {
            write(ctx, endpoint.refused(Refusals.unsupportedMediaType(contentType), null, requestId), requestId, keepAlive);
            return;
        }
        String accept = headers.get(HttpHeaderNames.ACCEPT);
        if (!acceptsJson(accept)) {
            write(ctx, endpoint.refused(Refusals.notAcceptable(accept), null, requestId), requestId, keepAlive);
            return;
        }
        McpEndpoint.Post post = new McpEndpoint.Post(agent, headers.get(McpReply.SESSION_HEADER), headers.get(VERSION_HEADER),
                requestId, ByteBufUtil.getBytes(request.content()));
        callsInProgress++;
        // Parsing, the guards and the backend run on a virtual thread, never on this event loop.
        Future<?> work = endpoint.workers().submit(() -> {
            McpReply reply = endpoint.post(post);
            ctx.channel().eventLoop().execute(() -> finish(ctx, reply, requestId, keepAlive));
        });
        // Answers are plain JSON, not a resumable stream: once the client is gone nobody can ever read this
        // one, so its call is cancelled and gives back its place at the legacy service.
        cancelOnClose = f -> work.cancel(true);
        ctx.channel().closeFuture().addListener(cancelOnClose);
    }

    /**
     * GET opens the session's stream of server-sent events; it carries notifications only (this server sends
     * no requests), so the connection then serves nothing else. The session lookup is a map read: no blocking.
     */
    private void openStream(ChannelHandlerContext ctx, String agent, HttpHeaders headers, String requestId, boolean keepAlive) {
        String accept = headers.get(HttpHeaderNames.ACCEPT);
        if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
            write(ctx, endpoint.refused(Refusals.notAcceptable(accept), null, requestId), requestId, keepAlive);
            return;
        }
        McpEndpoint.StreamCheck check = endpoint.stream(agent, headers.get(McpReply.SESSION_HEADER),
                headers.get(VERSION_HEADER), requestId);
        if (check.refusal() != null) {
            write(ctx, check.refusal(), requestId, keepAlive);
            return;
        }
        Refusal full = endpoint.streams().open(check.session(), ctx.channel());
        if (full != null) {
            write(ctx, endpoint.refused(full, null, requestId), requestId, keepAlive);
            return;
        }
        // Written before any notification: those are queued to this event loop, which is busy with this until then.
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(RequestIds.HEADER, requestId);
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.writeAndFlush(response);
        streamSession = check.session().id();
        // A DELETE between the lookup above and the registration found no stream to close.
        if (!endpoint.sessionLive(streamSession)) {
            ctx.close();
        }
    }

    private void finish(ChannelHandlerContext ctx, McpReply reply, String requestId, boolean keepAlive) {
        callsInProgress--;
        if (cancelOnClose != null) {
            ctx.channel().closeFuture().removeListener(cancelOnClose);
            cancelOnClose = null;
        }
        write(ctx, reply, requestId, keepAlive);
    }

    private static void write(ChannelHandlerContext ctx, McpReply reply, String requestId, boolean keepAlive) {
        FullHttpResponse response = reply.toHttp(requestId);
        if (keepAlive && !reply.closes()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // A connection waiting for its own slow MCP call is not idle; the JSON API's handler closes idle ones.
        if (evt instanceof IdleStateEvent && callsInProgress > 0) {
            return;
        }
        // A notification stream is quiet by nature: keep it open with a comment line instead, for as long as its
        // session lives. Only requests keep a session alive, so a stream alone closes within one idle timeout of
        // its session's expiry.
        if (evt instanceof IdleStateEvent && streamSession != null) {
            if (endpoint.sessionLive(streamSession)) {
                McpStreams.keepAlive(ctx.channel());
            } else {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static String bearer(HttpHeaders headers) {
        String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return auth.substring(7).strip();
    }

    /** {@code http://localhost:3000}, {@code http://127.0.0.1}, {@code http://[::1]:8080}; never a DNS name. */
    static boolean loopbackOrigin(String origin) {
        try {
            String host = URI.create(origin.strip()).getHost();
            return host != null && (host.equals("localhost") || host.equals("[::1]") || LOOPBACK_V4.matcher(host).matches());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isJson(String contentType) {
        return contentType != null && mime(contentType).equals("application/json");
    }

    /** No Accept header means anything; otherwise it must admit application/json, the only answer sent. */
    private static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String mime = mime(range);
            if (mime.equals("application/json") || mime.equals("application/*") || mime.equals("*/*")) {
                return true;
            }
        }
        return false;
    }

    private static String mime(String value) {
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
