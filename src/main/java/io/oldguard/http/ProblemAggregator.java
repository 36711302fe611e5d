package io.oldguard.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.mcp.McpHandler;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.passthrough.SoapFaults;
import io.oldguard.passthrough.SoapPassthrough;

/**
 * Aggregates a request body up to the configured limit. An oversized body (by Content-Length, or once it grows
 * past the limit) is answered with 413 at once, without buffering the rest — a problem document, or at the MCP
 * endpoint a JSON-RPC error carrying it, at a SOAP passthrough path a SOAP fault; {@link OversizedBodyDrain} then drops what is still coming and closes.
 */
final class ProblemAggregator extends HttpObjectAggregator {

    private final int maxBodyBytes;
    private final CallMetrics metrics;
    private final SoapPassthrough soap;

    ProblemAggregator(int maxBodyBytes, CallMetrics metrics, SoapPassthrough soap) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.soap = soap;
    }

    /**
     * A client that announces an oversized body with {@code Expect: 100-continue} gets the same refusal as one
     * that just sends it (a problem, a JSON-RPC error or a SOAP fault), not Netty's bare 413.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        Refusal refusal = Refusals.bodyTooLarge(maxBodyBytes);
        metrics.rejected(refusal.outcome());
        ctx.channel().attr(OversizedBodyDrain.REFUSED).set(Boolean.TRUE);
        String requestId = RequestIds.from(oversized.headers());
        String uri = oversized instanceof HttpRequest request ? request.uri() : "";
        if (McpHandler.serves(uri)) {
            ctx.writeAndFlush(McpHandler.refusal(refusal, requestId));
        } else if (soap.serves(new QueryStringDecoder(uri).path())) {
            ctx.writeAndFlush(SoapFaults.fault(refusal, requestId));
        } else {
            ctx.writeAndFlush(HttpResponses.problem(refusal, requestId));
        }
    }
}
