package io.oldguard.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Session ownership, idle expiry and the per-agent bound, on fake time. */
class McpSessionsTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T09:00:00Z"));
    private final McpSessions sessions = new McpSessions(clock, IDLE_TIMEOUT, (session, why) -> { });

    @Test
    void anotherAgentDoesNotFindTheSession() {
        McpSession session = sessions.open("support-bot", "2025-11-25");

        assertThat(sessions.find(session.id(), "order-bot")).isEmpty();
        assertThat(sessions.find(session.id(), "support-bot")).hasValueSatisfying(s -> assertThat(s.agent()).isEqualTo("support-bot"));
    }

    @Test
    void aSessionIdleLongerThanTheExpiryIsGone() {
        McpSession session = sessions.open("support-bot", "2025-11-25");

        clock.advance(IDLE_TIMEOUT.plusSeconds(1));

        assertThat(sessions.find(session.id(), "support-bot")).isEmpty();
    }

    @Test
    void usingASessionKeepsItAlive() {
        McpSession session = sessions.open("support-bot", "2025-11-25");

        for (int i = 0; i < 3; i++) {
            clock.advance(IDLE_TIMEOUT.minusMinutes(1));
            assertThat(sessions.find(session.id(), "support-bot")).isPresent();
        }
    }

    @Test
    void openingOneOverTheCapDropsTheAgentsLeastRecentlyUsedSession() {
        List<McpSession> opened = new ArrayList<>();
        for (int i = 0; i < McpSessions.MAX_PER_AGENT; i++) {
            opened.add(sessions.open("support-bot", "2025-11-25"));
            clock.advance(Duration.ofSeconds(1));
        }
        McpSession other = sessions.open("order-bot", "2025-11-25");
        sessions.find(opened.get(0).id(), "support-bot");

        sessions.open("support-bot", "2025-11-25");

        assertThat(sessions.find(opened.get(1).id(), "support-bot")).as("least recently used").isEmpty();
        assertThat(sessions.find(opened.get(0).id(), "support-bot")).as("used a moment ago").isPresent();
        assertThat(sessions.find(other.id(), "order-bot")).as("another agent's").isPresent();
    }

    @Test
    void sessionIdsAreDistinctVisibleAscii() {
        String a = sessions.open("support-bot", "2025-11-25").id();
        String b = sessions.open("support-bot", "2025-11-25").id();

        assertThat(a).isNotEqualTo(b).matches("[\\x21-\\x7E]{43}");
    }
}
