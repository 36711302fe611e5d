package io.oldguard.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.oldguard.config.RequestLimits;
import io.oldguard.mcp.McpEndpoint;
import io.oldguard.mcp.McpHandler;

/**
 * The agent port's pipeline: HTTP codec with bounded line and header sizes inside the listener's connection
 * guards (request deadline, idle timeout, answers in request order), an aggregator that refuses bodies over the
 * limit with a problem document, then the MCP endpoint ({@code /mcp}), and the JSON tool API with the SOAP
 * passthrough (every other path).
 */
final class AgentPortInitializer extends ChannelInitializer<SocketChannel> {

    private final RequestLimits limits;
    private final AgentRequestHandler.Shared shared;
    private final McpEndpoint mcp;
    private final ListenerConnections connections;

    AgentPortInitializer(RequestLimits limits, AgentRequestHandler.Shared shared, McpEndpoint mcp,
            ListenerConnections connections) {
        this.limits = limits;
        this.connections = connections;
        this.shared = shared;
        this.mcp = mcp;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        connections.addCodec(p, new HttpServerCodec(4096, 16 * 1024, 16 * 1024));
        p.addLast(new OversizedBodyDrain());
        p.addLast(new ProblemAggregator(limits.maxBodyBytes(), shared.metrics(), shared.soap()));
        p.addLast(new McpHandler(mcp));
        p.addLast(new AgentRequestHandler(shared));
    }
}
