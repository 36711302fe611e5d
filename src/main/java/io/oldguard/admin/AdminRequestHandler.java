package io.oldguard.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
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
import io.oldguard.approval.ApprovalsAdminApi;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.http.HttpResponses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Serves {@code /healthz} and {@code /readyz} on the event loop (they read flags only), {@code /metrics} from
 * {@link MetricsPage} (rendered off the loop), and hands the token-protected {@code /v1/agents},
 * {@code /v1/policies} and {@code /admin/policy} API to a virtual thread. A request that did not decode as
 * HTTP/1.1 is answered 400 and does nothing.
 */
final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** What every connection's handler shares; built once per server. */
    record Shared(Readiness readiness, MetricsPage metrics, boolean metricsRequireToken, AdminAuth auth,
            AgentsAdminApi agents, PoliciesAdminApi policies, ApprovalsAdminApi approvals, ExecutorService workers) {
    }

    private final Shared shared;

    AdminRequestHandler(Shared shared) {
        this.shared = shared;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            write(ctx, HttpResponses.problem(Refusals.badRequest("The request is not valid HTTP/1.1: "
                    + request.decoderResult().cause().getMessage()), null), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (path.startsWith(AgentsAdminApi.PREFIX) || path.startsWith(PoliciesAdminApi.PREFIX)
                || path.equals(PoliciesAdminApi.STATE) || path.startsWith(ApprovalsAdminApi.PREFIX)) {
            HttpMethod method = request.method();
            Refusal refused = shared.auth().check(request.headers().get(HttpHeaderNames.AUTHORIZATION), peer(ctx));
            byte[] body = ByteBufUtil.getBytes(request.content());
            // The admin API writes the halts file and reads policies: off the event loop, on a virtual thread.
            shared.workers().submit(() -> write(ctx, refused != null ? HttpResponses.problem(refused, null)
                    : path.startsWith(AgentsAdminApi.PREFIX) ? shared.agents().handle(method, path, body)
                    : path.startsWith(ApprovalsAdminApi.PREFIX) ? shared.approvals().handle(method, path, body)
                    : shared.policies().handle(method, path), keepAlive));
            return;
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            write(ctx, HttpResponses.problem(Refusals.methodNotAllowed(request.method().name(), path, List.of("GET")), null),
                    keepAlive);
            return;
        }
        switch (path) {
            case "/healthz" -> write(ctx, HttpResponses.json(HttpResponseStatus.OK,
                    HttpResponses.JSON.createObjectNode().put("status", "UP"), null), keepAlive);
            case "/readyz" -> write(ctx, ready(), keepAlive);
            case "/metrics" -> metrics(ctx, request, keepAlive);
            default -> write(ctx, HttpResponses.problem(Refusals.notFound(path), null), keepAlive);
        }
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        if (shared.metricsRequireToken()) {
            Refusal refused = shared.auth().check(request.headers().get(HttpHeaderNames.AUTHORIZATION), peer(ctx));
            if (refused != null) {
                write(ctx, HttpResponses.problem(refused, null), keepAlive);
                return;
            }
        }
        shared.metrics().text().whenComplete((text, failure) -> write(ctx, failure == null
                ? HttpResponses.text(HttpResponseStatus.OK, PROMETHEUS_TEXT, text)
                : HttpResponses.problem(Refusals.internalError("-"), null), keepAlive));
    }

    private static InetAddress peer(ChannelHandlerContext ctx) {
        return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse ready() {
        boolean ready = shared.readiness().ready();
        ObjectNode body = HttpResponses.JSON.createObjectNode().put("status", ready ? "READY" : "NOT_READY");
        body.put("config", "loaded");
        ObjectNode backends = body.putObject("backends");
        shared.readiness().backends().forEach((name, found) -> {
            // The reason only: the server's own words (role and database names) go to the log, not to this open page.
            ObjectNode backend = backends.putObject(name).put("state", found.state().label());
            if (!found.up()) {
                backend.put("reason", found.reason());
            }
        });
        body.set("store", HttpResponses.JSON.valueToTree(shared.readiness().store()));
        return HttpResponses.json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body, null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
