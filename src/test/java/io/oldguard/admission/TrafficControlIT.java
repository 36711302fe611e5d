package io.oldguard.admission;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BackendLimits;
import io.oldguard.config.BreakerSettings;
import io.oldguard.config.Rate;
import io.oldguard.config.SidecarConfig;
import io.oldguard.config.SoapBackendConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Rate limits, shaping, the breaker, the bulkhead and cancellation against the real simulator. */
class TrafficControlIT {

    private static final String GRANTS = """
            tools:
              GetStock:
                timeout: 2s
                params:
                  ItemID: { minimum: 1, maximum: 9999999 }
            agents:
              order-bot:
                tools: [GetStock]
                limits: { rate: "%s" }
              support-bot:
                tools: [GetStock]
                limits: { rate: "%s" }
            """;

    /** Grants without agent limits (the in-flight cap above the test's 30 calls), so only the backend's own protections act. */
    private static final String UNLIMITED = """
            agents:
              order-bot:
                tools: [GetStock]
                limits: { maxInFlight: 32 }
            """;

    @Test
    void aStormIsPolicedAndShapedWhileAWellBehavedAgentKeepsItsService() throws Exception {
        String policies = TestPolicies.folderWith(GRANTS.formatted("40/s burst 10", "5/s"));
        UnaryOperator<SidecarConfig> config = c -> backend(c.withPolicies(policies), b -> b.withLimits(
                new BackendLimits(Rate.parse("20/s burst 5"), Duration.ofSeconds(1), 40, 10)));
        try (SidecarHarness harness = SidecarHarness.start(s -> s, config)) {
            Http agent = harness.agent();
            AtomicInteger stormOk = new AtomicInteger();
            AtomicInteger storm429 = new AtomicInteger();
            ConcurrentLinkedQueue<String> missingRetryAfter = new ConcurrentLinkedQueue<>();
            List<Integer> wellBehaved = new ArrayList<>();
            long start = System.nanoTime();
            long stormEnd = start + Duration.ofSeconds(10).toNanos();

            List<Thread> storm = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                int thread = t;
                storm.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; System.nanoTime() < stormEnd; i++) {
                        Http.Reply r = agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": " + (1 + (thread * 7 + i) % 500) + "}");
                        if (r.status() == 200) {
                            stormOk.incrementAndGet();
                        } else if (r.status() == 429) {
                            storm429.incrementAndGet();
                        }
                        if ((r.status() == 429 || r.status() == 503) && r.headers().firstValue("Retry-After").isEmpty()) {
                            missingRetryAfter.add(r.body());
                        }
                    }
                }));
            }
            while (System.nanoTime() < stormEnd) {
                wellBehaved.add(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}").status());
                Thread.sleep(250);
            }
            for (Thread t : storm) {
                t.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;

            long received = harness.simulator().requestsReceived("GetStock");
            assertThat(received).as("at most the backend rate (+ burst) over %.1f s", elapsed)
                    .isLessThanOrEqualTo((long) Math.ceil(20 * elapsed) + 5 + 1);
            assertThat(received).as("at least 95%% of the backend rate over the 10 s storm").isGreaterThanOrEqualTo(190);
            assertThat(storm429.get()).as("the storming agent is policed").isPositive();
            assertThat(missingRetryAfter).as("every 429/503 carries Retry-After").isEmpty();
            long ok = wellBehaved.stream().filter(s -> s == 200).count();
            assertThat((double) ok / wellBehaved.size()).as("well-behaved agent's successes: %s", wellBehaved)
                    .isGreaterThanOrEqualTo(0.99);
        }
    }

    @Test
    void theBreakerOpensOnServerFaultsFailsFastAndClosesAfterRecovery() throws Exception {
        String policies = TestPolicies.folderWith(UNLIMITED);
        UnaryOperator<SidecarConfig> config = c -> backend(c.withPolicies(policies), b -> b.withBreaker(
                new BreakerSettings(10f, Duration.ofSeconds(5), 50f, 10, 5, Duration.ofSeconds(2), 2)));
        try (SidecarHarness harness = SidecarHarness.start(s -> s, config)) {
            Http agent = harness.agent();
            harness.simulator().setServerFaults(true);

            Http.Reply firstFault = agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}");
            assertThat(firstFault.status()).isEqualTo(502);
            assertThat(firstFault.body()).as("a Server fault's text stays in the log").doesNotContain("Internal error");
            int calls = 1;
            Http.Reply reply;
            do {
                reply = agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}");
                calls++;
            } while (reply.status() == 502 && calls < 50);
            assertThat(reply.json().path("type").asText()).endsWith("/circuit-open");
            assertThat(harness.simulator().requestsReceived()).as("opened within its window of 10").isLessThanOrEqualTo(10);

            long receivedWhenOpen = harness.simulator().requestsReceived();
            for (int i = 0; i < 20; i++) {
                Http.Reply fast = agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}");
                assertThat(fast.status()).isEqualTo(503);
                assertThat(fast.headers().firstValue("Retry-After")).isPresent();
            }
            assertThat(harness.simulator().requestsReceived()).as("nothing reaches the simulator while open").isEqualTo(receivedWhenOpen);
            assertThat(Metrics.value(harness.admin(), "oldguard_breaker_state{backend=\"inventory\"}")).isEqualTo(1.0);

            harness.simulator().setServerFaults(false);
            Thread.sleep(2100);
            assertThat(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
            assertThat(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 43}").status()).isEqualTo(200);
            assertThat(Metrics.value(harness.admin(), "oldguard_breaker_state{backend=\"inventory\"}")).isEqualTo(0.0);
        }
    }

    @Test
    void aHangingBackendNeverHoldsMoreThanTheBulkheadAndCallsEndAtTheirDeadline() throws Exception {
        String policies = TestPolicies.folderWith(UNLIMITED);
        UnaryOperator<SidecarConfig> config = c -> backend(c.withPolicies(policies), b -> b.withMaxConnections(4)
                .withLimits(new BackendLimits(null, Duration.ofMillis(500), 8, 8)));
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofSeconds(20)).withWorkers(8), config)) {
            Http agent = harness.agent();
            List<CompletableFuture<java.net.http.HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(agent.base() + "/v1/tools/GetStock"))
                        .header("Authorization", "Bearer " + ORDER_TOKEN).header("Content-Type", "application/json")
                        .header("Oldguard-Timeout", "1500ms")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ItemID\": " + (i + 1) + "}")).build();
                calls.add(agent.client().sendAsync(request, java.net.http.HttpResponse.BodyHandlers.ofString()));
            }
            double maxInFlight = 0;
            while (!calls.stream().allMatch(CompletableFuture::isDone)) {
                maxInFlight = Math.max(maxInFlight, Metrics.value(harness.admin(), "oldguard_backend_in_flight{backend=\"inventory\"}"));
                assertThat(harness.admin().get("/healthz", null).status()).isEqualTo(200);
                Thread.sleep(50);
            }

            assertThat(maxInFlight).isBetween(1.0, 4.0);
            for (CompletableFuture<java.net.http.HttpResponse<String>> call : calls) {
                assertThat(call.get().statusCode()).as(call.get().body()).isIn(503, 504);
            }
            assertThat(calls.stream().filter(c -> c.join().statusCode() == 504).count()).isEqualTo(4);
            assertThat(Metrics.value(harness.admin(), "oldguard_backend_in_flight{backend=\"inventory\"}")).isZero();
        }
    }

    @Test
    void aClientThatDisconnectsMidCallFreesItsSlot() throws Exception {
        UnaryOperator<SidecarConfig> config = c -> backend(c, b -> b.withMaxConnections(1));
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofSeconds(20)), config)) {
            try (Socket socket = harness.agent().postAndHold("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 42}")) {
                awaitInFlight(harness, 1.0);
                for (int i = 0; i < 100 && harness.simulator().requestsReceived() == 0; i++) {
                    Thread.sleep(20);
                }
                assertThat(harness.simulator().requestsReceived()).as("the call is at the legacy service").isEqualTo(1);
            }

            awaitInFlight(harness, 0.0);
            assertThat(Metrics.value(harness.admin(), "oldguard_calls_total{agent=\"order-bot\",outcome=\"cancelled\",tool=\"GetStock\"}"))
                    .isEqualTo(1.0);
        }
    }

    private static void awaitInFlight(SidecarHarness harness, double expected) throws InterruptedException {
        // Polls far less long than the simulator's 20 s latency: only a cancelled call can free the slot in time.
        for (int i = 0; i < 100; i++) {
            if (Metrics.value(harness.admin(), "oldguard_backend_in_flight{backend=\"inventory\"}") == expected) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(Metrics.value(harness.admin(), "oldguard_backend_in_flight{backend=\"inventory\"}")).isEqualTo(expected);
    }

    private static SidecarConfig backend(SidecarConfig config, UnaryOperator<SoapBackendConfig> change) {
        return config.withBackends(Map.of("inventory", change.apply(config.backends().get("inventory"))));
    }
}
