package io.oldguard.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.config.Listener;
import io.oldguard.config.RequestLimits;
import io.oldguard.halt.HaltGuard;
import io.oldguard.identity.AgentDirectory;
import io.oldguard.identity.IdentityGuard;
import io.oldguard.mcp.McpEndpoint;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.passthrough.SoapPassthrough;
import io.oldguard.policy.PolicyStore;
import io.oldguard.ratelimit.RateLimitGuard;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/** The agent port: a Netty server with its own event loop group, serving MCP, the JSON tool API and the SOAP passthrough. */
public final class AgentPortServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;

    private AgentPortServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** @param rateLimits the chain's rate-limit guard, which also charges tool listings */
    public static AgentPortServer start(Listener listener, RequestLimits limits, AgentDirectory agents, HaltGuard halts,
            RateLimitGuard rateLimits, PolicyStore policies, ToolCallHandler calls, ExecutorService workers,
            Map<String, Duration> backendTimeouts, CallMetrics metrics, SoapPassthrough soap, MeterRegistry registry,
            Clock clock) throws InterruptedException {
        AgentRequestHandler.Shared shared = new AgentRequestHandler.Shared(agents,
                new IdentityGuard(), halts, rateLimits, policies, calls, new BoundedJson(limits.maxJsonDepth(), limits.maxBodyBytes()),
                workers, backendTimeouts, metrics, clock, soap);
        McpEndpoint mcp = new McpEndpoint(agents, halts, rateLimits, policies, calls,
                new BoundedJson(limits.maxJsonDepth() + McpEndpoint.ENVELOPE_DEPTH, limits.maxBodyBytes()), limits.mcp(),
                workers, backendTimeouts, metrics, clock);
        // The event loops only parse HTTP and route; one per core is plenty because nothing on them blocks. (Netty's
        // default, two per core, measured about 15 % more CPU per call: more loops, each woken for fewer events.)
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                NioIoHandler.newFactory());
        ListenerConnections connections = new ListenerConnections("agent", listener, limits.idleTimeout(), registry);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .handler(connections.limit())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new AgentPortInitializer(limits, shared, mcp, connections))
                    .bind(listener.host(), listener.port())
                    .sync()
                    .channel();
            return new AgentPortServer(group, channel);
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
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
