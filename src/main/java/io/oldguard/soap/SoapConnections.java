package io.oldguard.soap;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The kept-alive HTTP/1.1 connections to one SOAP service, at most {@code maxConnections} open at once. A
 * connection lives on one event loop; a call made on an agent connection's event loop takes an idle connection of
 * that same loop when there is one, so its request and answer never leave that thread (what Envoy-class proxies
 * do), and opens a new one there while fewer than the cap are open. A call made on a worker thread uses this
 * pool's own loop. A connection the service closed leaves the pool when its loop sees the close; one older than
 * {@link #TIME_TO_LIVE} is closed instead of reused. The admission bulkhead in front keeps the calls in flight at
 * the cap, so a call waits here only for the moment between a call's end and its connection's return.
 */
final class SoapConnections {

    /** A connection is not reused past this age, so a restarted load balancer's new address is picked up. */
    private static final Duration TIME_TO_LIVE = Duration.ofMinutes(5);
    private static final AttributeKey<Long> OPENED = AttributeKey.valueOf("oldguard.soap.opened");

    private final URI endpoint;
    private final int max;
    private final Duration connectTimeout;
    private final SslContext tls;
    private final EventLoopGroup ownLoop;
    // All guarded by this.
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Channel>> waiting = new ArrayDeque<>();
    private int open;
    private boolean closed;

    SoapConnections(String backend, URI endpoint, int max, Duration connectTimeout) {
        this.endpoint = endpoint;
        this.max = max;
        this.connectTimeout = connectTimeout;
        this.tls = "https".equalsIgnoreCase(endpoint.getScheme()) ? clientTls() : null;
        ThreadFactory threads = Thread.ofPlatform().daemon().name("oldguard-soap-" + backend).factory();
        this.ownLoop = new MultiThreadIoEventLoopGroup(1, threads, NioIoHandler.newFactory());
    }

    String host() {
        return endpoint.getHost();
    }

    int port() {
        return endpoint.getPort() > 0 ? endpoint.getPort() : tls != null ? 443 : 80;
    }

    /** Where a call's deadline is timed: its own event loop, or else this pool's. */
    EventExecutor timerOn(EventLoop loop) {
        return loop != null ? loop : ownLoop.next();
    }

    /**
     * A connection for one exchange, ready to write to: an idle one (preferably on {@code loop}), a new one, or the
     * next one given back. Completes exceptionally when a new connection cannot be made.
     *
     * @param loop the event loop the call runs on, or null for a worker thread
     */
    CompletableFuture<Channel> acquire(EventLoop loop) {
        synchronized (this) {
            Channel reused = takeIdle(loop);
            if (reused != null) {
                return CompletableFuture.completedFuture(reused);
            }
            if (open >= max || closed) {
                CompletableFuture<Channel> later = new CompletableFuture<>();
                waiting.add(later);
                return later;
            }
            open++;
        }
        return connect(loop);
    }

    /**
     * Takes a waiter out of the line (its call ended first). A connection handed to it meanwhile is given back by
     * its exchange, which finds itself ended.
     */
    synchronized void forget(CompletableFuture<Channel> waiter) {
        waiting.remove(waiter);
    }

    /**
     * Gives a connection back after its exchange. A connection that cannot carry another exchange (the service
     * said close, the exchange was cut off, or it is too old) is closed, which frees its place.
     */
    void release(Channel channel, boolean reusable) {
        if (!reusable || !channel.isActive() || expired(channel)) {
            channel.close();
            return;
        }
        CompletableFuture<Channel> waiter;
        synchronized (this) {
            waiter = waiting.poll();
            if (waiter == null) {
                idle.push(channel);
                return;
            }
        }
        if (!waiter.complete(channel)) {
            release(channel, true);
        }
    }

    void close() {
        synchronized (this) {
            closed = true;
            idle.forEach(Channel::close);
            idle.clear();
        }
        ownLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** The most recently returned idle connection of {@code loop}, else of any loop; null when none is idle. */
    private Channel takeIdle(EventLoop loop) {
        Channel any = null;
        for (Iterator<Channel> it = idle.iterator(); it.hasNext(); ) {
            Channel channel = it.next();
            if (loop == null || channel.eventLoop() == loop) {
                it.remove();
                return channel;
            }
            if (any == null) {
                any = channel;
            }
        }
        if (any != null) {
            idle.remove(any);
        }
        return any;
    }

    private CompletableFuture<Channel> connect(EventLoop loop) {
        CompletableFuture<Channel> connected = new CompletableFuture<>();
        ChannelFuture attempt;
        try {
            attempt = new Bootstrap()
                    .group(loop != null ? loop : ownLoop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            if (tls != null) {
                                channel.pipeline().addLast(tls.newHandler(channel.alloc(), host(), port()));
                            }
                            channel.pipeline().addLast(new HttpClientCodec(),
                                    new HttpObjectAggregator(SoapBackend.MAX_ANSWER_BYTES), new SoapExchange.Reader());
                        }
                    })
                    .connect(host(), port());
        } catch (RuntimeException e) {
            closedOne();
            connected.completeExceptionally(e);
            return connected;
        }
        // The one place a connection's slot is given back, whether it never connected, broke, or was closed.
        attempt.channel().closeFuture().addListener(f -> {
            synchronized (this) {
                idle.remove(attempt.channel());
            }
            closedOne();
        });
        attempt.addListener(f -> {
            if (f.isSuccess()) {
                attempt.channel().attr(OPENED).set(System.nanoTime());
                connected.complete(attempt.channel());
            } else {
                connected.completeExceptionally(f.cause());
            }
        });
        return connected;
    }

    /** A place is free: a waiting call gets a new connection in it. */
    private void closedOne() {
        CompletableFuture<Channel> waiter;
        synchronized (this) {
            open--;
            waiter = closed ? null : waiting.poll();
            if (waiter == null) {
                return;
            }
            open++;
        }
        connect(null).whenComplete((channel, failure) -> {
            if (failure != null) {
                waiter.completeExceptionally(failure);
            } else if (!waiter.complete(channel)) {
                release(channel, true);
            }
        });
    }

    private static boolean expired(Channel channel) {
        Long opened = channel.attr(OPENED).get();
        return opened != null && System.nanoTime() - opened > TIME_TO_LIVE.toNanos();
    }

    private static SslContext clientTls() {
        try {
            // The JDK's trust store and host name check, as any HTTPS client.
            return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS for the SOAP service cannot be set up: " + e.getMessage(), e);
        }
    }
}
