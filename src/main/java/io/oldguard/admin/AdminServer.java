package io.oldguard.admin;

import io.oldguard.approval.ApprovalBook;
import io.oldguard.approval.ApprovalsAdminApi;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.oldguard.config.AdminConfig;
import io.oldguard.config.Listener;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.http.ListenerConnections;
import io.oldguard.http.PortInUse;
import io.oldguard.policy.PolicyStore;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The admin port: health, readiness and metrics on their own single-threaded event loop group, so no amount of
 * tool-call traffic can delay a liveness probe (the incident's busy pods were killed by their own probes). Its
 * connections are capped and timed like the agent port's ({@link ListenerConnections}), so a flood of them cannot
 * take the process's file descriptors either.
 */
public final class AdminServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * @param adminTokenHash SHA-256 hex of the admin token, or null when none is configured
     * @param idleTimeout    idle connections are closed after this long
     */
    public static AdminServer start(Listener listener, Duration idleTimeout, AdminConfig config, String adminTokenHash,
            Readiness readiness, PrometheusMeterRegistry registry, HaltRegistry halts, PolicyStore policies,
            ApprovalBook approvals, ExecutorService workers, Clock clock) throws InterruptedException {
        AdminRequestHandler.Shared shared = new AdminRequestHandler.Shared(readiness,
                new MetricsPage(registry::scrape, workers), config.metricsRequireToken(),
                new AdminAuth(adminTokenHash, new AuthThrottle(clock)),
                new AgentsAdminApi(halts, () -> policies.identities().agents(), policies), new PoliciesAdminApi(policies),
                new ApprovalsAdminApi(approvals), workers);
        ListenerConnections connections = new ListenerConnections("admin", listener, idleTimeout, registry);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .handler(connections.limit())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.addCodec(ch.pipeline(), new HttpServerCodec(4096, 8192, 8192));
                            ch.pipeline().addLast(new HttpObjectAggregator(8192), new AdminRequestHandler(shared));
                        }
                    })
                    .bind(listener.host(), listener.port())
                    .sync()
                    .channel();
            return new AdminServer(group, channel);
        } catch (Exception e) {
            // Also a BindException, which Netty rethrows undeclared: without this the loops would keep the JVM alive.
            group.shutdownGracefully();
            Exception translated = PortInUse.translate(e, listener.host(), listener.port());
            if (translated instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw translated instanceof RuntimeException r ? r : new IllegalStateException("cannot listen on "
                    + listener.host() + ":" + listener.port() + ": " + translated, translated);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
