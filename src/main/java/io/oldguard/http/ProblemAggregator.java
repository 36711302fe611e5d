package io.oldguard.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.metrics.CallMetrics;

/**
 * Aggregates a request body up to the configured limit. An oversized body (by Content-Length, or once it grows
 * past the limit) is answered with a 413 problem document at once, without buffering the rest;
 * {@link OversizedBodyDrain} then drops what is still coming and closes the connection.
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
        ctx.writeAndFlush(HttpResponses.problem(refusal, RequestIds.from(oversized.headers())));
    }
}
