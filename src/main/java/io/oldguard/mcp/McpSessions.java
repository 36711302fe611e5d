package io.oldguard.mcp;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The open MCP sessions, bounded so no client can make them grow: each agent keeps at most
 * {@link #MAX_PER_AGENT} (opening one more drops its least recently used), and a session idle for
 * {@link #IDLE_EXPIRY} is gone. Agents are configured, so the whole map is bounded too. Expiry is checked when a
 * session is looked up and swept when one is opened, so no timer thread is needed.
 */
final class McpSessions {

    static final Duration IDLE_EXPIRY = Duration.ofMinutes(30);
    static final int MAX_PER_AGENT = 32;
    /** Session ids are 43 characters; anything much longer is not one of ours and is not looked up. */
    private static final int MAX_ID_LENGTH = 64;

    private final ConcurrentHashMap<String, McpSession> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    // Opening is rare; one lock keeps the per-agent count exact. A ReentrantLock does not pin virtual threads.
    private final ReentrantLock opening = new ReentrantLock();
    private final Clock clock;

    McpSessions(Clock clock) {
        this.clock = clock;
    }

    McpSession open(String agent, String protocolVersion) {
        Instant now = clock.instant();
        McpSession session = new McpSession(newId(), agent, protocolVersion, now);
        opening.lock();
        try {
            byId.values().removeIf(s -> expired(s, now));
            List<McpSession> own = byId.values().stream().filter(s -> s.agent().equals(agent))
                    .sorted(Comparator.comparing(McpSession::lastUsed)).toList();
            for (int i = 0; i <= own.size() - MAX_PER_AGENT; i++) {
                byId.remove(own.get(i).id());
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
            byId.remove(id, session);
            return Optional.empty();
        }
        McpSession touched = session.touched(now);
        byId.replace(id, session, touched);
        return Optional.of(touched);
    }

    void close(McpSession session) {
        byId.remove(session.id());
    }

    private static boolean expired(McpSession session, Instant now) {
        return session.lastUsed().plus(IDLE_EXPIRY).isBefore(now);
    }

    /** 256 random bits, URL-safe Base64: visible ASCII as the transport requires, and unguessable. */
    private String newId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
