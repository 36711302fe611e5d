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
 *
 * <p>One timer per connection, not one per request: a timer that fires while a request is in progress is set
 * again for what is left of that request's deadline, and one that finds none simply lapses. On a kept-alive
 * connection a request therefore costs no timer of its own; scheduling and cancelling one on every request was
 * about 0.4 % of a call's CPU at saturation (BENCHMARKS.md, 2026-12-06).
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    private final Counter timedOut;
    private ConnectionActivity activity;
    // Whether a request (or the connection's first one, not yet begun) is in progress, and until when it may take.
    private boolean inRequest;
    private long deadlineNanos;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout, Counter timedOut) {
        this.timeoutNanos = timeout.toNanos();
        this.timedOut = timedOut;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activity = ConnectionActivity.of(ctx.channel());
        begin(ctx, System.nanoTime());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            long now = System.nanoTime();
            activity.read(now);
            if (!inRequest) {
                begin(ctx, now);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inRequest = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }

    private void begin(ChannelHandlerContext ctx, long now) {
        inRequest = true;
        deadlineNanos = now + timeoutNanos;
        if (timer == null) {
            arm(ctx, timeoutNanos);
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> expired(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expired(ChannelHandlerContext ctx) {
        timer = null;
        if (!inRequest || !ctx.channel().isActive()) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            arm(ctx, left);
            return;
        }
        timedOut.increment();
        ctx.close();
    }

    private void stop() {
        inRequest = false;
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
