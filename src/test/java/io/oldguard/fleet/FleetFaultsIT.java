package io.oldguard.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.simulator.LegacyInventorySimulator;
import io.oldguard.simulator.SimulatorSettings;
import io.oldguard.testing.Await;
import io.oldguard.testing.FleetSidecar;
import io.oldguard.testing.Http;
import io.oldguard.testing.RedisProcess;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two sidecar processes on a redis-server of the test's own, which is killed in the middle of a storm and then
 * restarted empty: calls never hang, the fallback keeps the service under its limit, halted agents stay halted and
 * no halt is lost.
 */
class FleetFaultsIT {

    private static final String VALID = "{\"ItemID\":42}";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void redisKilledMidStormAndRestartedLosesNoHaltAndNeverHoldsACall() throws Exception {
        TestDatabase db = own(TestDatabase.create());
        LegacyInventorySimulator simulator = own(LegacyInventorySimulator.start(SimulatorSettings.defaults(
                Path.of("wsdl/inventory.wsdl"), db.jdbcUrl(), db.user(), db.password()).withWorkers(16)));
        RedisProcess redis = own(RedisProcess.start());
        Path root = Files.createTempDirectory("oldguard-fleet-faults");
        Path policies = FleetSidecar.policies(root, "1000/s");
        String backend = """
                    maxConnections: 8
                    limits: { rate: "50/s burst 10", maxWait: 1s, maxQueue: 256, maxQueuePerAgent: 64 }
                """;
        String cluster = """
                  redis: %s
                  timeout: 200ms
                  retryAfter: 500ms
                  fallback: local
                  localShare: 0.25
                """.formatted(redis.url());
        FleetSidecar a = own(FleetSidecar.start("a", root, simulator.endpoint(), policies, backend, cluster));
        FleetSidecar b = own(FleetSidecar.start("b", root, simulator.endpoint(), policies, backend, cluster));
        assertThat(a.agent().postJson("/v1/tools/GetStock", FleetSidecar.AUDIT_TOKEN, "{\"ItemID\":\"x\"}").status())
                .isEqualTo(422);
        Await.until(Duration.ofSeconds(1), "audit-bot halted at b",
                () -> b.agent().postJson("/v1/tools/GetStock", FleetSidecar.AUDIT_TOKEN, VALID).status() == 423);
        simulator.resetCounters();

        List<Storm.Caller> callers = new ArrayList<>();
        for (FleetSidecar s : List.of(a, b)) {
            callers.add(new Storm.Caller(s.agent().base(), SidecarHarness.SUPPORT_TOKEN, VALID));
            callers.add(new Storm.Caller(s.agent().base(), SidecarHarness.ORDER_TOKEN, VALID));
        }
        List<Storm.Caller> halted = List.of(new Storm.Caller(a.agent().base(), FleetSidecar.AUDIT_TOKEN, VALID),
                new Storm.Caller(b.agent().base(), FleetSidecar.AUDIT_TOKEN, VALID));
        Storm.Result[] haltedResult = new Storm.Result[1];
        Thread haltedStorm = Thread.ofVirtual().start(() -> {
            try {
                haltedResult[0] = Storm.run(halted, 2, 20, Duration.ofSeconds(12));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread chaos = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(4000);
                redis.kill();
                Thread.sleep(4000);
                redis.restart();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // Four callers at 100/s each: 400 calls/s, eight times the backend's 50/s.
        Storm.Result storm = Storm.run(callers, 100, 100, Duration.ofSeconds(12));
        chaos.join();
        haltedStorm.join();

        long received = simulator.requestsReceived("GetStock");
        double t = storm.took().toMillis() / 1000.0;
        System.out.printf("storm through a Redis outage: %s in %.1f s, slowest answer %d ms; the service received %d"
                + " (limit 50*t + 2 bursts = %.0f); the halted agent got %s%n", storm.statuses(), t, storm.slowest().toMillis(),
                received, 50 * t + 20, haltedResult[0].statuses());
        assertThat(storm.count(-1)).as("calls without an answer").isZero();
        // Every call answers by its 5 s deadline (a 504 at the latest); the margin is scheduling on a saturated
        // 2-core host, far below the client's 15 s timeout that a hanging call would hit.
        assertThat(storm.slowest()).as("no call held past its 5 s deadline").isLessThan(Duration.ofSeconds(8));
        // A Redis that restarts empty hands out its burst once more; the fallback buckets start empty.
        assertThat((double) received).isLessThanOrEqualTo(50 * t + 2 * 10);
        assertThat(haltedResult[0].statuses()).as("the halted agent refused throughout").containsOnlyKeys(423);

        Await.until(Duration.ofSeconds(5), "both sidecars on the store again",
                () -> a.admin().get("/readyz", null).body().contains("\"state\":\"up\"")
                        && b.admin().get("/readyz", null).body().contains("\"state\":\"up\""));
        FleetSidecar late = own(FleetSidecar.start("late", root, simulator.endpoint(), policies, backend, cluster));
        Await.until(Duration.ofSeconds(3), "the halt re-published to the emptied Redis and seen by a new sidecar",
                () -> late.agent().postJson("/v1/tools/GetStock", FleetSidecar.AUDIT_TOKEN, VALID).status() == 423);
        Http.Reply listed = late.admin().get("/v1/agents/halted", SidecarHarness.ADMIN_TOKEN);
        assertThat(listed.json().path("halted").get(0).path("sidecar").asText()).isEqualTo("a");
    }

    private <T extends AutoCloseable> T own(T resource) {
        open.add(resource);
        return resource;
    }
}
