package io.oldguard.http;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A request must arrive whole — request line, headers and body — within the listener's {@code requestTimeout}
 * of its first byte (for a connection's first request, of the connection's opening); otherwise the connection is
 * closed. The idle timeout alone cannot stop a slowloris client: one header byte every 20 s keeps a connection
 * from ever being idle. Sits before the HTTP codec to see bytes arrive; {@link Complete}, after the codec, ends
 * the deadline where a request ends. Between requests, the idle timeout applies. Event loop only.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    private final Counter timedOut;
    private ConnectionActivity activity;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout, Counter timedOut) {
        this.timeoutNanos = timeout.toNanos();
        this.timedOut = timedOut;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activity = ConnectionActivity.of(ctx.channel());
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            activity.read(System.nanoTime());
            if (timer == null) {
                start(ctx);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    private void start(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            timedOut.increment();
            ctx.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** After the HTTP codec: the end of a request (or of one that failed to decode) ends its deadline. */
    static final class Complete extends ChannelInboundHandlerAdapter {

        private final RequestDeadline deadline;

        Complete(RequestDeadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LastHttpContent) {
                deadline.stop();
            }
            ctx.fireChannelRead(msg);
        }
    }
}
