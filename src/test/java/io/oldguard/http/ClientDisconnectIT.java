package io.oldguard.http;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.LogCapture;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.SidecarHarness;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client that goes away mid-call is a cancelled call, whatever phase the call was in — never a 500. */
class ClientDisconnectIT {

    @Test
    void clientsClosingMidCallGetCancelledCallsAndNoErrors() throws Exception {
        // Few connections to the service, each call a little slow: closes land while calls wait for a connection,
        // while they are sent, and while the service works.
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofMillis(15)),
                c -> c.withBackends(Map.of("inventory", c.backends().get("inventory").withMaxConnections(2))));
                LogCapture log = new LogCapture(ToolCallHandler.class)) {
            Http agent = harness.agent();
            for (int round = 0; round < 3; round++) {
                List<Socket> sockets = new ArrayList<>();
                // Two agents taking turns, and a pause between rounds: within their rate limits, so every call
                // reaches the backend's admission.
                Thread.sleep(2000);
                for (int i = 0; i < 30; i++) {
                    sockets.add(agent.postAndHold("/v1/tools/GetStock", i % 2 == 0 ? SUPPORT_TOKEN : ORDER_TOKEN,
                            "{\"ItemID\": " + (i + 1) + "}"));
                }
                for (int i = 0; i < sockets.size(); i++) {
                    Thread.sleep(i % 9);
                    sockets.get(i).close();
                }
            }
            // Some requests die with their socket before they are read; every one that became a call finishes.
            Await.until(Duration.ofSeconds(10), "no call in flight",
                    () -> Metrics.value(harness.admin(), "oldguard_calls_in_flight") == 0.0);

            String metrics = harness.admin().get("/metrics", null).body();
            assertThat(metrics).doesNotContain("outcome=\"internal_error\"");
            assertThat(metrics.lines().filter(l -> l.startsWith("oldguard_calls_total{"))
                    .filter(l -> !l.contains("outcome=\"ok\"") && !l.contains("outcome=\"cancelled\"")
                            // 15 calls of each agent at once: those past its in-flight cap (8) are refused before admission.
                            && !l.contains("outcome=\"rate_limited_in_flight\"")))
                    .as("every call ended ok, cancelled or refused by the agent's in-flight cap").isEmpty();
            assertThat(metrics).contains("outcome=\"cancelled\"");
            assertThat(log.events()).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
        }
    }
}
