package io.oldguard.mcp;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The open MCP sessions, bounded so no client can make them grow: each agent keeps at most
 * {@link #MAX_PER_AGENT} (opening one more drops its least recently used), and a session no request named for
 * the idle timeout ({@code requests.mcp.sessionIdleTimeout}) is gone. Agents are configured, so the whole map is bounded too. Expiry is checked when a
 * session is looked up and swept when one is opened, so no timer thread is needed; a session's notification
 * stream asks at each keep-alive ({@link #live}). Every way a session ends is reported to the listener given at
 * construction, which closes the session's stream with it.
 */
final class McpSessions {

    static final int MAX_PER_AGENT = 32;
    /** Session ids are 43 characters; anything much longer is not one of ours and is not looked up. */
    private static final int MAX_ID_LENGTH = 64;

    private final ConcurrentHashMap<String, McpSession> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    // Opening is rare; one lock keeps the per-agent count exact. A ReentrantLock does not pin virtual threads.
    private final ReentrantLock opening = new ReentrantLock();
    private final Clock clock;
    private final Duration idleTimeout;
    private final BiConsumer<McpSession, String> ended;

    /** @param ended told of each session that ends, and why: deleted, expired, evicted, agent removed */
    McpSessions(Clock clock, Duration idleTimeout, BiConsumer<McpSession, String> ended) {
        this.clock = clock;
        this.idleTimeout = idleTimeout;
        this.ended = ended;
    }

    McpSession open(String agent, String protocolVersion) {
        Instant now = clock.instant();
        McpSession session = new McpSession(newId(), agent, protocolVersion, now);
        opening.lock();
        try {
            byId.values().stream().filter(s -> expired(s, now)).toList().forEach(s -> end(s, "expired"));
            List<McpSession> own = byId.values().stream().filter(s -> s.agent().equals(agent))
                    .sorted(Comparator.comparing(McpSession::lastUsed)).toList();
            for (int i = 0; i <= own.size() - MAX_PER_AGENT; i++) {
                end(own.get(i), "evicted");
            }
            byId.put(session.id(), session);
        } finally {
            opening.unlock();
        }
        return session;
    }

    /**
     * The session, if it is open, unexpired and the agent's own; finding it counts as using it. Another agent's
     * session is not found, exactly like one that never existed, so session ids cannot be probed with a token.
     */
    Optional<McpSession> find(String id, String agent) {
        if (id.length() > MAX_ID_LENGTH) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        McpSession session = byId.get(id);
        if (session == null || !session.agent().equals(agent)) {
            return Optional.empty();
        }
        if (expired(session, now)) {
            end(session, "expired");
            return Optional.empty();
        }
        McpSession touched = session.touched(now);
        byId.replace(id, session, touched);
        return Optional.of(touched);
    }

    /**
     * Whether the session is still open, without counting as a use: a stream's keep-alives must not keep its
     * session alive. An expired session found here ends.
     */
    boolean live(String id) {
        McpSession session = byId.get(id);
        if (session != null && expired(session, clock.instant())) {
            end(session, "expired");
            return false;
        }
        return session != null;
    }

    void close(McpSession session) {
        end(session, "deleted");
    }

    /** Ends the sessions of every agent not in {@code agents}: a reload removed them. */
    void retainAgents(Set<String> agents) {
        byId.values().stream().filter(s -> !agents.contains(s.agent())).toList().forEach(s -> end(s, "agent removed"));
    }

    /** Reports the session's end once, however many paths race to end it. */
    private void end(McpSession session, String why) {
        McpSession removed = byId.remove(session.id());
        if (removed != null) {
            ended.accept(removed, why);
        }
    }

    private boolean expired(McpSession session, Instant now) {
        return session.lastUsed().plus(idleTimeout).isBefore(now);
    }

    /** 256 random bits, URL-safe Base64: visible ASCII as the transport requires, and unguessable. */
    private String newId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
