package io.oldguard.http;

import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.RawHttp;
import io.oldguard.testing.SidecarHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining (RFC 9112 §9.3.2): requests sent back to back on one connection are answered in the order
 * they were sent, whatever each one takes, and a {@code Connection: close} among them ends the connection only
 * after the answers before it.
 */
class PipeliningIT {

    private static SidecarHarness harness;

    @BeforeAll
    static void start() {
        // Every GetStock the legacy service answers takes 300 ms: the slow one of the three.
        harness = SidecarHarness.start(s -> s.withLatency(Duration.ofMillis(300)), c -> c);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void resetCounters() {
        harness.simulator().resetCounters();
    }

    @Test
    void answersPipelinedRequestsInTheOrderTheyWereSent() throws Exception {
        try (RawHttp connection = new RawHttp(harness.agent().base())) {
            connection.send(RawHttp.post("/v1/tools/GetStock", SUPPORT_TOKEN, "application/json", "{\"ItemID\": 42}",
                            "X-Request-Id: slow-1")
                    // Cut short by its own deadline: 504 after 100 ms.
                    + RawHttp.post("/v1/tools/GetStock", SUPPORT_TOKEN, "application/json", "{\"ItemID\": 43}",
                            "X-Request-Id: medium-2", "Oldguard-Timeout: 100ms")
                    // Answered from memory at once.
                    + RawHttp.get("/v1/tools", SUPPORT_TOKEN, "X-Request-Id: fast-3"));

            List<RawHttp.Answer> answers = List.of(connection.read(), connection.read(), connection.read());

            assertThat(answers).extracting(a -> a.header("X-Request-Id")).containsExactly("slow-1", "medium-2", "fast-3");
            assertThat(answers).extracting(RawHttp.Answer::status).containsExactly(200, 504, 200);
        }
    }

    @Test
    void connectionCloseOnAPipelinedRequestStillAnswersTheOnesBeforeIt() throws Exception {
        try (RawHttp connection = new RawHttp(harness.agent().base())) {
            connection.send(RawHttp.post("/v1/tools/GetStock", SUPPORT_TOKEN, "application/json", "{\"ItemID\": 42}",
                            "X-Request-Id: slow-1")
                    + RawHttp.get("/v1/tools", SUPPORT_TOKEN, "X-Request-Id: closing-2", "Connection: close")
                    // After a close nothing more is processed (RFC 9112 §9.6): this one must never reach the service.
                    + RawHttp.post("/v1/tools/GetStock", SUPPORT_TOKEN, "application/json", "{\"ItemID\": 44}",
                            "X-Request-Id: after-close-3"));

            List<RawHttp.Answer> answers = connection.readUntilClosed();

            assertThat(answers).extracting(a -> a.header("X-Request-Id")).containsExactly("slow-1", "closing-2");
            assertThat(answers.get(0).status()).as(answers.get(0).body()).isEqualTo(200);
            assertThat(answers.get(0).body()).contains("\"ItemID\":42");
            assertThat(answers.get(1).header("Connection")).isEqualTo("close");
            assertThat(harness.simulator().requestsReceived("GetStock")).isEqualTo(1);
        }
    }
}
