package io.oldguard.http;

import static io.oldguard.http.AgentPortIT.assertProblem;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How oldguard answers when the legacy service is down, slow or saturated. */
class BackendFailuresIT {

    @Test
    void backendThatIsDownGets503WithRetryAfter() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/inventory");
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> c.withBackends(
                Map.of("inventory", c.backends().get("inventory").withEndpoint(nowhere))))) {

            Http.Reply reply = harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}");

            assertProblem(reply, 503, "backend-unavailable");
            assertThat(reply.headers().firstValue("Retry-After")).isPresent();
            assertThat(harness.admin().get("/readyz", null).status()).isEqualTo(503);
        }
    }

    @Test
    void backendSlowerThanTheToolTimeoutGets504() {
        // The shipped policy gives GetStock 2s; the simulator takes 3s.
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofSeconds(3)), c -> c)) {

            Http.Reply reply = harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}");

            assertProblem(reply, 504, "backend-timeout");
            assertThat(reply.json().path("detail").asText()).contains("2000 ms");
        }
    }

    @Test
    void healthAnswersWhileEveryBackendWorkerIsBusy() throws Exception {
        // Two legacy workers, each call taking 3s: every worker and every backend connection stays busy.
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofSeconds(3)).withWorkers(2), c -> c)) {
            Http agent = harness.agent();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(agent.base() + "/v1/tools/GetStock"))
                        .header("Authorization", "Bearer " + SUPPORT_TOKEN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ItemID\": " + (i + 1) + "}")).build();
                calls.add(agent.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            awaitSimulatorBusy(harness);

            HttpRequest health = HttpRequest.newBuilder(URI.create(harness.admin().base() + "/healthz"))
                    .timeout(Duration.ofSeconds(1)).build();
            Http.Reply reply = harness.admin().send(health);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().path("status").asText()).isEqualTo("UP");
            assertThat(calls.stream().filter(f -> !f.isDone()).count()).isPositive();
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        }
    }

    @Test
    void metricsShowCallsByAgentToolOutcomeAndBackendLatency() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}");
            harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 777777}");

            String metrics = harness.admin().get("/metrics", null).body();

            assertThat(metrics).contains("oldguard_calls_total{agent=\"support-bot\",outcome=\"ok\",tool=\"GetStock\"} 1.0");
            assertThat(metrics).contains("oldguard_calls_total{agent=\"support-bot\",outcome=\"soap_client_fault\",tool=\"GetStock\"} 1.0");
            assertThat(metrics).contains("oldguard_backend_latency_seconds_bucket{backend=\"inventory\"");
            assertThat(metrics).contains("oldguard_backend_up{backend=\"inventory\"} 1.0");
        }
    }

    @Test
    void everyOldguardMetricSaysWhatItCounts() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}");

            String metrics = harness.admin().get("/metrics", null).body();

            assertThat(metrics.lines().filter(line -> line.startsWith("# HELP oldguard_")))
                    .isNotEmpty()
                    .allSatisfy(help -> assertThat(help.split(" ", 4)).as(help).hasSize(4));
            assertThat(metrics).contains("# HELP oldguard_calls_in_flight Tool calls between decode and answer");
        }
    }

    @Test
    void readinessReportsTheBackend() {
        try (SidecarHarness harness = SidecarHarness.start()) {
            Http.Reply reply = harness.admin().get("/readyz", null);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().path("backends").path("inventory").path("state").asText()).isEqualTo("reachable");
        }
    }

    private static void awaitSimulatorBusy(SidecarHarness harness) throws InterruptedException {
        for (int i = 0; i < 200 && harness.simulator().requestsReceived() < 2; i++) {
            Thread.sleep(25);
        }
        assertThat(harness.simulator().requestsReceived()).isGreaterThanOrEqualTo(2);
    }
}
