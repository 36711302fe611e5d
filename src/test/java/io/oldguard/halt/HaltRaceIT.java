package io.oldguard.halt;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BackendLimits;
import io.oldguard.config.HaltsConfig;
import io.oldguard.config.Rate;
import io.oldguard.config.SidecarConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A halt stops everything of the agent that has not yet left for the legacy service, counted where it counts: at
 * the simulator.
 */
class HaltRaceIT {

    /** Room for all 25 calls of the agent: its in-flight cap is not what this test is about. */
    private static final String PATIENT = """
            tools:
              GetStock:
                timeout: 20s
            agents:
              support-bot:
                tools: [GetStock]
                limits: { maxInFlight: 32 }
              order-bot:
                tools: [GetStock]
            """;

    private static final Set<String> REACHED_WITHOUT_STREAK = Set.of("502 soap-fault", "504 backend-timeout",
            "502 bad-gateway", "503 backend-unavailable");

    private static final String GUESSER = """
            agents:
              support-bot:
                tools: [GetStock]
                limits: { maxInFlight: 4 }
              order-bot:
                tools: [GetStock]
            """;

    @Test
    void aGuessingAgentOnTwentyThreadsGetsNoMoreThanItsStreakAndItsInFlightCapThrough() throws Exception {
        int faults = 10;
        int maxInFlight = 4;
        UnaryOperator<SidecarConfig> config = c -> c.withPolicies(TestPolicies.folderWith(GUESSER))
                .withHalts(new HaltsConfig(c.halts().file(), new HaltsConfig.ErrorStreak(faults, Duration.ofSeconds(60))));
        // A slow legacy service, as on the night: every guess is still in flight when the next ones are sent.
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofMillis(100)), config)) {
            Http agent = harness.agent();
            AtomicInteger guesses = new AtomicInteger(9_000_000);
            Map<String, Integer> answers = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (int t = 0; t < 20; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < giveUp) {
                        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN,
                                "{\"ItemID\": " + guesses.incrementAndGet() + "}");
                        answers.merge(reply.status() + " " + problemType(reply), 1, Integer::sum);
                        if (reply.status() == 423) {
                            return;
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }

            long reached = harness.simulator().requestsReceived("GetStock");
            System.out.printf("guessing agent: %d guesses sent by 20 threads, %d reached the service (streak %d, "
                    + "in-flight cap %d); answers %s%n", guesses.get() - 9_000_000, reached, faults, maxInFlight,
                    new TreeMap<>(answers));
            // A guess the service failed (a Server fault, a timeout, an unreadable answer, a broken connection) may
            // have reached it without adding to the streak; on a loaded machine a few may, and each lets one more
            // through. Nothing else counts: an answer oldguard made up itself (500, a breaker's 503) never left.
            int uncounted = answers.entrySet().stream()
                    .filter(a -> REACHED_WITHOUT_STREAK.contains(a.getKey()))
                    .mapToInt(Map.Entry::getValue).sum();
            assertThat(reached).as("guesses that reached the legacy service; answers %s", new TreeMap<>(answers))
                    .isLessThanOrEqualTo(faults + maxInFlight + uncounted);
            assertThat(harness.admin().get("/v1/agents/halted", ADMIN_TOKEN).json().path("halted").get(0)
                    .path("reason").asText()).isEqualTo("error_streak");
        }
    }

    private static String problemType(Http.Reply reply) {
        try {
            return reply.json().path("type").asText().replaceAll(".*/", "");
        } catch (RuntimeException notJson) {
            return "not a problem document";
        }
    }

    @Test
    void callsWaitingInTheShaperWhenTheAgentIsHaltedAreNeverSent() throws Exception {
        // Two turns a second: 25 calls at once leave 24 waiting, and a turn only every 500 ms.
        UnaryOperator<SidecarConfig> config = c -> {
            SidecarConfig withPolicies = c.withPolicies(TestPolicies.folderWith(PATIENT));
            return withPolicies.withBackends(Map.of("inventory", withPolicies.backends().get("inventory").withLimits(
                    new BackendLimits(Rate.parse("2/s burst 1"), Duration.ofSeconds(15), 40, 40))));
        };
        try (SidecarHarness harness = SidecarHarness.start(s -> s, config)) {
            Http agent = harness.agent();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(agent.base() + "/v1/tools/GetStock"))
                        .header("Authorization", "Bearer " + SUPPORT_TOKEN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ItemID\": " + (i + 1) + "}")).build();
                calls.add(agent.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            awaitQueued(harness, 21);
            // Halt just after a turn was taken, so no call is on the wire while the halt is made.
            long received = harness.simulator().requestsReceived();
            while (harness.simulator().requestsReceived() == received) {
                Thread.sleep(2);
            }
            Http.Reply halt = harness.admin().postJson("/v1/agents/support-bot/halt", ADMIN_TOKEN,
                    "{\"reason\": \"runaway loop\"}");
            long sentBeforeHalt = harness.simulator().requestsReceived();
            double queuedAtHalt = queued(harness);

            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get();
            long halted = calls.stream().filter(c -> c.join().statusCode() == 423).count();
            System.out.printf("halt race: %.0f calls waiting at the halt, %d sent before it, %d answered 423, "
                    + "%d received by the simulator in all%n", queuedAtHalt, sentBeforeHalt, halted,
                    harness.simulator().requestsReceived());
            assertThat(halt.status()).isEqualTo(200);
            assertThat(queuedAtHalt).as("calls waiting in the shaper at the halt").isGreaterThanOrEqualTo(20);
            assertThat(harness.simulator().requestsReceived()).as("calls of the halted agent sent after the halt")
                    .isEqualTo(sentBeforeHalt);
            assertThat(halted).as("every call not sent is answered 423").isEqualTo(calls.size() - sentBeforeHalt);
            assertThat(calls.stream().filter(c -> c.join().statusCode() == 423))
                    .allSatisfy(c -> assertThat(c.join().body()).contains("/agent-halted").contains("runaway loop"));
        }
    }

    private static void awaitQueued(SidecarHarness harness, double atLeast) throws InterruptedException {
        for (int i = 0; i < 200 && queued(harness) < atLeast; i++) {
            Thread.sleep(25);
        }
        assertThat(queued(harness)).as("calls waiting for their turn").isGreaterThanOrEqualTo(atLeast);
    }

    private static double queued(SidecarHarness harness) {
        return Metrics.value(harness.admin(), "oldguard_backend_queued{backend=\"inventory\"}");
    }
}
