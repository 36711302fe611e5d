package io.oldguard.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.http.HttpResponses;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Serves {@code /healthz}, {@code /readyz} and {@code /metrics} on the event loop (they read state only) and
 * hands the token-protected {@code /v1/agents}, {@code /v1/policies} and {@code /admin/policy} API to a virtual thread.
 */
final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Readiness readiness;
    private final PrometheusMeterRegistry registry;
    private final AdminAuth auth;
    private final AgentsAdminApi agents;
    private final PoliciesAdminApi policies;
    private final ExecutorService workers;

    AdminRequestHandler(Readiness readiness, PrometheusMeterRegistry registry, AdminAuth auth, AgentsAdminApi agents,
            PoliciesAdminApi policies, ExecutorService workers) {
        this.readiness = readiness;
        this.registry = registry;
        this.auth = auth;
        this.agents = agents;
        this.policies = policies;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (path.startsWith(AgentsAdminApi.PREFIX) || path.startsWith(PoliciesAdminApi.PREFIX)
                || path.equals(PoliciesAdminApi.STATE)) {
            HttpMethod method = request.method();
            Refusal refused = auth.check(request.headers().get(HttpHeaderNames.AUTHORIZATION));
            byte[] body = ByteBufUtil.getBytes(request.content());
            // The admin API writes the halts file and reads policies: off the event loop, on a virtual thread.
            workers.submit(() -> write(ctx, refused != null ? HttpResponses.problem(refused, null)
                    : path.startsWith(AgentsAdminApi.PREFIX) ? agents.handle(method, path, body)
                    : policies.handle(method, path), keepAlive));
            return;
        }
        FullHttpResponse response;
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            response = HttpResponses.problem(Refusals.methodNotAllowed(request.method().name(), path, List.of("GET")), null);
        } else {
            response = switch (path) {
                case "/healthz" -> HttpResponses.json(HttpResponseStatus.OK,
                        HttpResponses.JSON.createObjectNode().put("status", "UP"), null);
                case "/readyz" -> ready();
                case "/metrics" -> HttpResponses.text(HttpResponseStatus.OK, PROMETHEUS_TEXT, registry.scrape());
                default -> HttpResponses.problem(Refusals.notFound(path), null);
            };
        }
        write(ctx, response, keepAlive);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse ready() {
        boolean ready = readiness.ready();
        ObjectNode body = HttpResponses.JSON.createObjectNode().put("status", ready ? "READY" : "NOT_READY");
        body.put("config", "loaded");
        ObjectNode backends = body.putObject("backends");
        readiness.backends().forEach((name, found) -> {
            ObjectNode backend = backends.putObject(name).put("state", found.state().label());
            if (!found.up()) {
                backend.put("reason", found.reason()).put("detail", found.detail());
            }
        });
        return HttpResponses.json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body, null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
