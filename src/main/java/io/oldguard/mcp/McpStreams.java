package io.oldguard.mcp;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.oldguard.audit.Events;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.http.ToolListing;
import io.oldguard.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open notification streams (a session's GET: server-sent events), at most one per session and
 * {@code maxPerAgent} per agent. A stream lives no longer than its session: {@link #sessionEnded} closes it when
 * the session is deleted, expires, is evicted or its agent is removed. When a policy reload changes the tools an
 * agent sees, every stream of that agent gets {@code notifications/tools/list_changed}; an idle stream gets a
 * comment line now and then so proxies and the idle timeout keep it open. Writes go through Netty's thread-safe
 * {@code writeAndFlush}; nothing here blocks.
 */
final class McpStreams {

    private static final Logger LOG = LoggerFactory.getLogger(McpStreams.class);
    private static final String LIST_CHANGED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}";

    private record Stream(String agent, Channel channel) {
    }

    private final Map<String, Stream> bySession = new ConcurrentHashMap<>();
    // Opening is rare and takes microseconds; the lock keeps the per-agent count exact (and pins no virtual thread).
    private final ReentrantLock opening = new ReentrantLock();
    private final AtomicReference<PolicySet> lastSeen;
    private final int maxPerAgent;

    McpStreams(PolicySet current, int maxPerAgent) {
        this.lastSeen = new AtomicReference<>(current);
        this.maxPerAgent = maxPerAgent;
    }

    /**
     * Registers the channel as the session's stream. A newer stream of the same session replaces the older one,
     * which is closed: a client reconnecting over a half-dead connection is never locked out by it.
     *
     * @return null when it is open, or the refusal: the agent already holds {@code maxPerAgent} other streams
     */
    Refusal open(McpSession session, Channel channel) {
        Stream stream = new Stream(session.agent(), channel);
        Stream replaced;
        opening.lock();
        try {
            long others = bySession.entrySet().stream()
                    .filter(e -> e.getValue().agent().equals(session.agent()) && !e.getKey().equals(session.id())).count();
            if (others >= maxPerAgent) {
                return Refusals.tooManyStreams(session.agent(), maxPerAgent);
            }
            replaced = bySession.put(session.id(), stream);
        } finally {
            opening.unlock();
        }
        if (replaced != null) {
            replaced.channel().close();
        }
        channel.closeFuture().addListener(f -> bySession.remove(session.id(), stream));
        return null;
    }

    /** Closes the session's stream, if it has one. */
    void sessionEnded(McpSession session, String why) {
        Stream stream = bySession.remove(session.id());
        if (stream != null) {
            stream.channel().close();
            LOG.info("closed a notification stream of {}: session {}", session.agent(), why,
                    kv("event", Events.MCP_STREAM_CLOSED), kv("agent", session.agent()), kv("reason", why));
        }
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
