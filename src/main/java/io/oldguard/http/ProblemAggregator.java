package io.oldguard.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.mcp.McpHandler;
import io.oldguard.metrics.CallMetrics;

/**
 * Aggregates a request body up to the configured limit. An oversized body (by Content-Length, or once it grows
 * past the limit) is answered with 413 at once, without buffering the rest — a problem document, or at the MCP
 * endpoint a JSON-RPC error carrying it; {@link OversizedBodyDrain} then drops what is still coming and closes.
 */
final class ProblemAggregator extends HttpObjectAggregator {

    private final int maxBodyBytes;
    private final CallMetrics metrics;

    ProblemAggregator(int maxBodyBytes, CallMetrics metrics) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        Refusal refusal = Refusals.bodyTooLarge(maxBodyBytes);
        metrics.rejected(refusal.outcome());
        ctx.channel().attr(OversizedBodyDrain.REFUSED).set(Boolean.TRUE);
        String requestId = RequestIds.from(oversized.headers());
        boolean mcp = oversized instanceof HttpRequest request && McpHandler.serves(request.uri());
        ctx.writeAndFlush(mcp ? McpHandler.refusal(refusal, requestId) : HttpResponses.problem(refusal, requestId));
    }
}
