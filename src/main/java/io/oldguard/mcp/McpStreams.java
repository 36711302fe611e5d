package io.oldguard.mcp;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.oldguard.http.ToolListing;
import io.oldguard.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open notification streams (a session's GET: server-sent events), one per session. When a policy reload
 * changes the tools an agent sees, every stream of that agent gets {@code notifications/tools/list_changed};
 * an idle stream gets a comment line now and then so proxies and the idle timeout keep it open. Writes go through
 * Netty's thread-safe {@code writeAndFlush}; nothing here blocks.
 */
final class McpStreams {

    private static final Logger LOG = LoggerFactory.getLogger(McpStreams.class);
    private static final String LIST_CHANGED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}";

    private record Stream(String agent, Channel channel) {
    }

    private final Map<String, Stream> bySession = new ConcurrentHashMap<>();
    private final AtomicReference<PolicySet> lastSeen;

    McpStreams(PolicySet current) {
        this.lastSeen = new AtomicReference<>(current);
    }

    /** A newer stream of the same session replaces the older one, which is closed. */
    void open(McpSession session, Channel channel) {
        Stream stream = new Stream(session.agent(), channel);
        Stream old = bySession.put(session.id(), stream);
        if (old != null) {
            old.channel().close();
        }
        channel.closeFuture().addListener(f -> bySession.remove(session.id(), stream));
    }

    /** Called after a policy reload with the new set. */
    void policiesChanged(PolicySet now) {
        PolicySet before = lastSeen.getAndSet(now);
        bySession.forEach((session, stream) -> {
            if (!tools(before, stream.agent()).equals(tools(now, stream.agent()))) {
                send(stream.channel(), "event: message\ndata: " + LIST_CHANGED + "\n\n");
                LOG.info("told session of {} its tools changed", stream.agent(), kv("event", "mcp.tools_changed"),
                        kv("agent", stream.agent()));
            }
        });
    }

    static void keepAlive(Channel channel) {
        send(channel, ": keep-alive\n\n");
    }

    private static JsonNode tools(PolicySet set, String agent) {
        return ToolListing.describe(set, set.toolsGrantedTo(agent));
    }

    private static void send(Channel channel, String event) {
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
    }
}
