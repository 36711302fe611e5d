package io.oldguard.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.oldguard.Setup;
import io.oldguard.guard.Refusal;
import io.oldguard.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A notification stream lives no longer than its session, and an agent holds a bounded number; on fake time. */
class McpStreamsTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    private static final int MAX_PER_AGENT = 3;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T09:00:00Z"));
    private final McpStreams streams = new McpStreams(Setup.load(Path.of("sidecar.yaml")).policies(), MAX_PER_AGENT);
    private final McpSessions sessions = new McpSessions(clock, IDLE_TIMEOUT, streams::sessionEnded);

    @Test
    void deletingASessionClosesItsStream() {
        McpSession session = sessions.open("support-bot", "2025-11-25");
        EmbeddedChannel stream = openStream(session);

        sessions.close(session);

        assertThat(stream.isOpen()).isFalse();
    }

    @Test
    void evictingASessionClosesItsStream() {
        McpSession oldest = sessions.open("support-bot", "2025-11-25");
        EmbeddedChannel stream = openStream(oldest);
        for (int i = 1; i < McpSessions.MAX_PER_AGENT; i++) {
            clock.advance(Duration.ofSeconds(1));
            sessions.open("support-bot", "2025-11-25");
        }
        assertThat(stream.isOpen()).isTrue();

        sessions.open("support-bot", "2025-11-25");

        assertThat(stream.isOpen()).as("the least recently used session was evicted").isFalse();
    }

    @Test
    void aStreamAskingForItsExpiredSessionIsClosed() {
        McpSession session = sessions.open("support-bot", "2025-11-25");
        EmbeddedChannel stream = openStream(session);
        clock.advance(IDLE_TIMEOUT.minusSeconds(1));
        assertThat(sessions.live(session.id())).isTrue();
        assertThat(stream.isOpen()).isTrue();

        clock.advance(Duration.ofSeconds(2));

        assertThat(sessions.live(session.id())).isFalse();
        assertThat(stream.isOpen()).isFalse();
    }

    @Test
    void askingWhetherASessionIsLiveDoesNotKeepItAlive() {
        McpSession session = sessions.open("support-bot", "2025-11-25");
        for (int i = 0; i < 29; i++) {
            clock.advance(Duration.ofMinutes(1));
            sessions.live(session.id());
        }

        clock.advance(Duration.ofMinutes(2));

        assertThat(sessions.find(session.id(), "support-bot")).isEmpty();
    }

    @Test
    void aSecondStreamOfTheSameSessionReplacesTheFirst() {
        McpSession session = sessions.open("support-bot", "2025-11-25");
        EmbeddedChannel first = openStream(session);

        EmbeddedChannel second = openStream(session);

        assertThat(first.isOpen()).isFalse();
        assertThat(second.isOpen()).isTrue();
    }

    @Test
    void anAgentAtItsStreamCapIsRefusedAnotherWhileOtherAgentsAreNot() {
        for (int i = 0; i < MAX_PER_AGENT; i++) {
            openStream(sessions.open("support-bot", "2025-11-25"));
        }

        Refusal refused = streams.open(sessions.open("support-bot", "2025-11-25"), new EmbeddedChannel());

        assertThat(refused).isNotNull();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.type()).endsWith("/too-many-streams");
        assertThat(refused.detail()).contains("support-bot").contains("already holds 3");
        assertThat(refused.extensions()).containsEntry("setting", "requests.mcp.maxStreamsPerAgent");
        assertThat(streams.open(sessions.open("order-bot", "2025-11-25"), new EmbeddedChannel())).isNull();
    }

    @Test
    void aClosedStreamFreesItsPlace() {
        EmbeddedChannel first = null;
        for (int i = 0; i < MAX_PER_AGENT; i++) {
            EmbeddedChannel stream = openStream(sessions.open("support-bot", "2025-11-25"));
            first = first == null ? stream : first;
        }

        first.close();

        assertThat(streams.open(sessions.open("support-bot", "2025-11-25"), new EmbeddedChannel())).isNull();
    }

    @Test
    void anAgentRemovedByAReloadLosesItsSessionsAndStreams() {
        McpSession removed = sessions.open("order-bot", "2025-11-25");
        EmbeddedChannel removedStream = openStream(removed);
        McpSession kept = sessions.open("support-bot", "2025-11-25");
        EmbeddedChannel keptStream = openStream(kept);

        sessions.retainAgents(Set.of("support-bot"));

        assertThat(removedStream.isOpen()).isFalse();
        assertThat(sessions.find(removed.id(), "order-bot")).isEmpty();
        assertThat(keptStream.isOpen()).isTrue();
        assertThat(sessions.find(kept.id(), "support-bot")).isPresent();
    }

    @Test
    void keepAliveIsACommentLine() {
        EmbeddedChannel stream = openStream(sessions.open("support-bot", "2025-11-25"));

        McpStreams.keepAlive(stream);

        HttpContent written = stream.readOutbound();
        ByteBuf content = written.content();
        assertThat(content.toString(StandardCharsets.UTF_8)).isEqualTo(": keep-alive\n\n");
        written.release();
    }

    private EmbeddedChannel openStream(McpSession session) {
        EmbeddedChannel channel = new EmbeddedChannel();
        assertThat(streams.open(session, channel)).isNull();
        return channel;
    }
}
