package io.oldguard.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.oldguard.config.Listener;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What bounds one listener's connections, the same on the agent port and the admin port: the cap on open
 * connections ({@link ConnectionLimit}, on the server channel), and on each connection the deadline for a whole
 * request ({@link RequestDeadline}), the idle timeout, and answers in request order ({@link InOrderResponses}).
 */
public final class ListenerConnections {

    private final ConnectionLimit limit;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final Counter timedOut;

    /** @param name the listener's name in metrics: {@code agent} or {@code admin} */
    public ListenerConnections(String name, Listener listener, Duration idleTimeout, MeterRegistry registry) {
        this.limit = new ConnectionLimit(name, listener.maxConnections(), registry);
        this.requestTimeout = listener.requestTimeout();
        this.idleTimeout = idleTimeout;
        this.timedOut = ConnectionLimit.dropped(registry, name, "request_timeout");
    }

    /** For {@code ServerBootstrap.handler(..)}: sees every accepted connection first. */
    public ChannelHandler limit() {
        return limit;
    }

    /** Adds the HTTP codec with what guards each connection around it; the caller adds aggregation and handlers. */
    public void addCodec(ChannelPipeline p, HttpServerCodec codec) {
        RequestDeadline deadline = new RequestDeadline(requestTimeout, timedOut);
        p.addLast(deadline);
        p.addLast(new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(codec);
        p.addLast(new RequestDeadline.Complete(deadline));
        p.addLast(new InOrderResponses());
    }
}
