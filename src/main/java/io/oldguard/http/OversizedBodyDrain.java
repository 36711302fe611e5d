package io.oldguard.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * After a body has been refused as too large, reads and drops the rest of it, then closes the connection.
 * Closing at once would leave unread bytes in the socket, and the kernel would answer them with a reset that
 * can destroy the 413 before the client reads it. The drain is capped, so a client that never stops sending
 * is cut off all the same. Sits between the HTTP codec and the aggregator; the event loop only counts bytes.
 */
final class OversizedBodyDrain extends ChannelInboundHandlerAdapter {

    static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("oldguard.bodyRefused");
    private static final long MAX_DRAINED_BYTES = 16L * 1024 * 1024;

    // Only touched on this channel's event loop.
    private long drained;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!Boolean.TRUE.equals(ctx.channel().attr(REFUSED).get()) || !(msg instanceof HttpContent content)) {
            ctx.fireChannelRead(msg);
            return;
        }
        drained += content.content().readableBytes();
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (last || drained > MAX_DRAINED_BYTES) {
            ctx.close();
        }
    }
}
