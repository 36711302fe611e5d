package io.oldguard.http;

import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.Listener;
import io.oldguard.config.Listeners;
import io.oldguard.config.RequestLimits;
import io.oldguard.config.SidecarConfig;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.RawHttp;
import io.oldguard.testing.SidecarHarness;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each port's connections are bounded: a request that dribbles in is cut off at the request deadline, an idle
 * connection is closed, and at the connection cap an idle connection makes room — or, when every connection is
 * busy, the newcomer is refused.
 */
class ConnectionLimitsIT {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void aSlowlorisIsCutOffAtTheRequestDeadlineOnBothPorts() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> withLimits(c, 16, 16))) {
            assertThat(dribbleUntilClosed(harness.agent().base())).as("agent port").isLessThan(Duration.ofSeconds(4));
            assertThat(dribbleUntilClosed(harness.admin().base())).as("admin port").isLessThan(Duration.ofSeconds(4));
            assertThat(Metrics.value(harness.admin(), "oldguard_connections_dropped_total{listener=\"agent\",reason=\"request_timeout\"}"))
                    .isEqualTo(1.0);
        }
    }

    @Test
    void anIdleConnectionIsClosedOnTheAdminPort() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> withLimits(c, 16, 16));
                RawHttp connection = new RawHttp(harness.admin().base())) {
            assertThat(connection.send(RawHttp.get("/healthz", null)).read().status()).isEqualTo(200);
            connection.soTimeout(5_000);

            long start = System.nanoTime();
            assertThat(connection.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void idleConnectionsMakeRoomForAHealthCheckAtTheCap() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> withLimits(c, 16, 4))) {
            List<RawHttp> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    idle.add(new RawHttp(harness.admin().base()));
                }
                try (RawHttp probe = new RawHttp(harness.admin().base())) {
                    assertThat(probe.send(RawHttp.get("/healthz", null)).read().status()).isEqualTo(200);
                }
            } finally {
                for (RawHttp c : idle) {
                    c.close();
                }
            }
            assertThat(Metrics.value(harness.admin(), "oldguard_connections_dropped_total{listener=\"admin\",reason=\"evicted\"}"))
                    .isGreaterThanOrEqualTo(7.0);
        }
    }

    @Test
    void aNewcomerIsRefusedWhenEveryConnectionIsBusyAndTheBusyOnesAreStillAnswered() throws Exception {
        try (SidecarHarness harness = SidecarHarness.start(s -> s.withLatency(Duration.ofMillis(800)), c -> withLimits(c, 2, 16));
                RawHttp first = new RawHttp(harness.agent().base());
                RawHttp second = new RawHttp(harness.agent().base())) {
            first.send(RawHttp.post("/v1/tools/GetStock", SUPPORT_TOKEN, "application/json", "{\"ItemID\": 1}",
                    "X-Request-Id: busy-1"));
            second.send(RawHttp.post("/v1/tools/GetStock", SUPPORT_TOKEN, "application/json", "{\"ItemID\": 2}",
                    "X-Request-Id: busy-2"));
            awaitSimulatorBusy(harness, 2);

            try (RawHttp third = new RawHttp(harness.agent().base())) {
                third.soTimeout(2_000);
                assertThat(third.closedByServer()).isTrue();
            }
            assertThat(first.read().header("X-Request-Id")).isEqualTo("busy-1");
            assertThat(second.read().header("X-Request-Id")).isEqualTo("busy-2");
            assertThat(Metrics.value(harness.admin(), "oldguard_connections_dropped_total{listener=\"agent\",reason=\"refused\"}"))
                    .isEqualTo(1.0);
        }
    }

    /** Sends a request line, then one header byte every 300 ms; returns how long until the server hung up. */
    private static Duration dribbleUntilClosed(String base) throws IOException, InterruptedException {
        long start = System.nanoTime();
        try (RawHttp connection = new RawHttp(base)) {
            connection.send("GET /healthz HTTP/1.1\r\n");
            connection.soTimeout(300);
            for (int i = 0; i < 30; i++) {
                if (connection.closedByServer()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                try {
                    connection.send("X");
                } catch (IOException e) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static SidecarConfig withLimits(SidecarConfig c, int agentCap, int adminCap) {
        RequestLimits r = c.requests();
        return c.withListeners(new Listeners(new Listener("127.0.0.1", 0, agentCap, REQUEST_TIMEOUT),
                        new Listener("127.0.0.1", 0, adminCap, REQUEST_TIMEOUT)))
                .withRequests(new RequestLimits(r.maxBodyBytes(), r.maxJsonDepth(), Duration.ofSeconds(1), r.xml(), r.mcp()));
    }

    private static void awaitSimulatorBusy(SidecarHarness harness, int calls) throws InterruptedException {
        for (int i = 0; i < 200 && harness.simulator().requestsReceived() < calls; i++) {
            Thread.sleep(20);
        }
        assertThat(harness.simulator().requestsReceived()).isGreaterThanOrEqualTo(calls);
    }
}
