package io.oldguard.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.ClusterConfig;
import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** One real sidecar whose Redis is not there: what its agents and its readiness probe get, per fallback. */
class FleetModeIT {

    private static final String VALID = "{\"ItemID\":42}";

    @Test
    void withoutClusterTheStoreIsLocalAndReadinessSaysSo() {
        try (SidecarHarness h = SidecarHarness.start()) {
            Http.Reply ready = h.admin().get("/readyz", null);

            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().path("store").path("mode").asText()).isEqualTo("local");
            assertThat(h.agent().postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN, VALID).status()).isEqualTo(200);
        }
    }

    @Test
    void refuseModeAnswers503WithRetryAfterAndIsNotReadyWhileRedisIsAway() throws IOException {
        try (SidecarHarness h = SidecarHarness.start(UnaryOperator.identity(), c -> c.withCluster(nowhere("refuse")))) {
            Http.Reply call = h.agent().postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN, VALID);

            assertThat(call.status()).isEqualTo(503);
            assertThat(call.json().path("type").asText()).endsWith("shared-limits-unavailable");
            assertThat(call.headers().firstValue("Retry-After")).isPresent();
            assertThat(h.simulator().requestsReceived()).isZero();
            Http.Reply ready = h.admin().get("/readyz", null);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("store").path("state").asText()).isEqualTo("never connected");
        }
    }

    @Test
    void localFallbackServesOnItsShareAndStaysReadyWhileRedisIsAway() throws Exception {
        try (SidecarHarness h = SidecarHarness.start(UnaryOperator.identity(), c -> c.withCluster(nowhere("local")))) {
            // The fallback buckets start empty and refill at a quarter of the rates (support-bot: 2.5/s).
            Http.Reply first = h.agent().postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN, VALID);
            assertThat(first.status()).as("nothing to spend yet").isEqualTo(429);

            Await.until(Duration.ofSeconds(3), "a call served on the local share",
                    () -> h.agent().postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN, VALID).status() == 200);
            Http.Reply ready = h.admin().get("/readyz", null);
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().path("store").path("fallback").asText()).startsWith("local");
            assertThat(h.admin().get("/metrics", null).body()).contains("oldguard_store_fallback 1.0");
        }
    }

    /** A Redis URL where nothing listens. */
    private static ClusterConfig nowhere(String fallback) {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new ClusterConfig("redis://127.0.0.1:" + port, null, null, "test", "og-test", Duration.ofMillis(100),
                Duration.ofSeconds(1), Duration.ofMillis(250), fallback, 0.25);
    }
}
