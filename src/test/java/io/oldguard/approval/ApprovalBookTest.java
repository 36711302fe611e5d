package io.oldguard.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.config.ConfigException;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Verdict;
import io.oldguard.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The life of an approval request, on fake time. */
class ApprovalBookTest {

    private static final Duration TTL = Duration.ofMinutes(15);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    private final List<Approval> told = new ArrayList<>();

    @Test
    void aDenialStandsForItsTtlThenTheIdenticalCallAsksAgain() {
        ApprovalBook book = open();
        String id = idOf(admit(book, "h1"));
        book.deny(id, "bob", "no");

        assertThat(((Refusal) admit(book, "h1")).outcome()).isEqualTo("approval_denied");
        clock.advance(TTL);
        Refusal again = (Refusal) admit(book, "h1");

        assertThat(again.outcome()).isEqualTo("approval_required");
        assertThat(idOf(again)).isNotEqualTo(id);
    }

    @Test
    void anApprovalCanBeTakenBackBeforeItIsUsed() {
        ApprovalBook book = open();
        String id = idOf(admit(book, "h1"));
        book.approve(id, "alice");

        assertThat(book.deny(id, "bob", "changed my mind").refusal()).isNull();
        assertThat(((Refusal) admit(book, "h1")).outcome()).isEqualTo("approval_denied");
    }

    @Test
    void eachNewRequestIsToldOnceRepeatsAreNot() {
        ApprovalBook book = open();
        admit(book, "h1");
        admit(book, "h1");
        admit(book, "h2");

        assertThat(told).extracting(Approval::argumentsHash).containsExactly("h1", "h2");
    }

    @Test
    void anUnreadableFileStopsTheStartRatherThanDropApprovals() throws Exception {
        Files.writeString(dir.resolve("approvals.json"), "[{not json");

        assertThatThrownBy(this::open).isInstanceOf(ConfigException.class).hasMessageContaining("approvals file cannot be read");
    }

    private ApprovalBook open() {
        return ApprovalBook.open(dir.resolve("approvals.json"), clock, new SimpleMeterRegistry(), told::add);
    }

    private static Verdict admit(ApprovalBook book, String hash) {
        ObjectNode args = new ObjectMapper().createObjectNode().put("Quantity", 45);
        return book.admit("order-bot", "ReserveStock", hash, args, TTL, "req-1", "v1");
    }

    private static String idOf(Verdict verdict) {
        return (String) ((Refusal) verdict).extensions().get("approvalId");
    }
}
