package io.oldguard.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.oldguard.metrics.MetricNames;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps a listener's open connections, so no flood of connections can use up the process's file descriptors
 * (and with them the agent port, the health checks and policy reloads). Sits on the server channel and sees each
 * accepted connection before it is registered. Under the cap it is let in. At the cap, the connection that
 * matters least is closed to make room — one that never sent a byte, else the one quiet longest, never one with
 * a request being answered — so a flood of idle connections cannot lock out a health check or an agent; only
 * when every connection is busy is the new one refused. A refused connection is reset (linger 0) before it
 * costs a registration, and leaves no TIME_WAIT behind. A connection closed to make room closes on its own event
 * loop a moment later; while {@link #MAX_CLOSING} such closes are still under way, newcomers are refused too, so
 * a burst cannot outrun the closes: the listener never holds more than {@link #descriptorsAtMost} descriptors.
 * Accepting happens on one event loop only, so the choice needs no lock; connections close on their own loops,
 * hence the concurrent set and counter.
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {

    static final int MAX_CLOSING = 64;

    private final int max;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger closing = new AtomicInteger();
    private final Counter refused;
    private final Counter evicted;

    ConnectionLimit(String listener, int max, MeterRegistry registry) {
        this.max = max;
        Gauge.builder(MetricNames.CONNECTIONS_OPEN, open, Set::size)
                .description("Connections open on the listener")
                .tag(MetricNames.TAG_LISTENER, listener)
                .register(registry);
        this.refused = dropped(registry, listener, "refused");
        this.evicted = dropped(registry, listener, "evicted");
    }

    /** Descriptors a listener of {@code maxConnections} holds at most: open, closing, and one being refused. */
    public static int descriptorsAtMost(int maxConnections) {
        return maxConnections + MAX_CLOSING + 1;
    }

    static Counter dropped(MeterRegistry registry, String listener, String reason) {
        return Counter.builder(MetricNames.CONNECTIONS_DROPPED)
                .description("Connections the listener refused or closed to protect itself, by reason")
                .tags(MetricNames.TAG_LISTENER, listener, MetricNames.TAG_REASON, reason)
                .register(registry);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        if (open.size() >= max && !closeOneIdle()) {
            refused.increment();
            child.config().setOption(ChannelOption.SO_LINGER, 0);
            child.unsafe().closeForcibly();
            return;
        }
        ConnectionActivity.attach(child, System.nanoTime());
        open.add(child);
        child.closeFuture().addListener(f -> open.remove(child));
        ctx.fireChannelRead(child);
    }

    /**
     * Closes the idle connection that matters least; false when every connection has a request in progress, or
     * too many closes are still under way.
     */
    private boolean closeOneIdle() {
        if (closing.get() >= MAX_CLOSING) {
            return false;
        }
        Channel victim = null;
        ConnectionActivity least = null;
        for (Channel c : open) {
            ConnectionActivity a = ConnectionActivity.of(c);
            if (!a.answering() && (least == null || a.closesBefore(least))) {
                victim = c;
                least = a;
            }
        }
        if (victim == null) {
            return false;
        }
        // No longer open, but its descriptor is held until its close completes on its own event loop.
        open.remove(victim);
        closing.incrementAndGet();
        victim.closeFuture().addListener(f -> closing.decrementAndGet());
        victim.close();
        evicted.increment();
        return true;
    }
}
