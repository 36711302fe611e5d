package io.oldguard.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The simulator's runtime behaviour: worker queueing, fault mode and several instances in one JVM. */
class SimulatorLifecycleIT extends SimulatorITSupport {

    @Test
    void requestsBeyondTheFourWorkersQueue() {
        Duration latency = Duration.ofMillis(400);
        simulator.setLatency(latency);

        long started = System.nanoTime();
        List<CompletableFuture<SoapTestClient.Reply>> calls = IntStream.rangeClosed(1, 8)
                .mapToObj(id -> client.callAsync("GetStock", "<ItemID>" + id + "</ItemID>")).toList();
        List<SoapTestClient.Reply> replies = calls.stream().map(CompletableFuture::join).toList();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(replies).allSatisfy(reply -> assertThat(reply.status()).isEqualTo(200));
        // 8 requests on 4 workers need at least two latency periods; only a lower bound, never an upper one.
        assertThat(elapsed).isGreaterThanOrEqualTo(latency.multipliedBy(2));
    }

    @Test
    void serverFaultModeAnswersFaultsWithoutTouchingTheDatabase() {
        simulator.setServerFaults(true);
        long borrowedBefore = simulator.database().connectionsBorrowed();

        List<SoapTestClient.Reply> replies = List.of(client.call("GetStock", "<ItemID>1</ItemID>"), reserve(1, 5));

        assertThat(replies).allSatisfy(reply -> {
            assertThat(reply.faultCode()).isEqualTo("Server");
            assertThat(reply.faultString()).isEqualTo("Internal error: backend unavailable");
        });
        assertThat(simulator.database().connectionsBorrowed()).isEqualTo(borrowedBefore);
        assertThat(simulator.requestsReceived()).isEqualTo(2);
        simulator.setServerFaults(false);
        assertThat(client.call("GetStock", "<ItemID>1</ItemID>").text("Reserved")).isEqualTo("0");
    }

    @Test
    void twoSimulatorsShareOneDatabaseAndCloseIndependently() {
        reserve(2, 3);

        LegacyInventorySimulator second = LegacyInventorySimulator.start(settings());
        int secondPort = second.endpoint().getPort();
        SoapTestClient.Reply viaSecond = new SoapTestClient(second.endpoint()).call("GetStock", "<ItemID>2</ItemID>");
        second.close();
        second.close();

        assertThat(secondPort).isNotEqualTo(simulator.endpoint().getPort());
        assertThat(viaSecond.text("Reserved")).as("re-seeding must not wipe existing rows").isEqualTo("3");
        assertThatThrownBy(() -> new Socket("127.0.0.1", secondPort).close()).isInstanceOf(ConnectException.class);
        assertThat(client.call("GetStock", "<ItemID>2</ItemID>").text("Reserved")).isEqualTo("3");
        try (LegacyInventorySimulator third = LegacyInventorySimulator.start(settings().withWorkers(1))) {
            assertThat(new SoapTestClient(third.endpoint()).call("GetStock", "<ItemID>2</ItemID>").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void startingOnAPortAnotherSimulatorServesFailsWithoutHarmingIt() {
        int taken = simulator.endpoint().getPort();

        assertThatThrownBy(() -> LegacyInventorySimulator.start(settings().withPort(taken)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(String.valueOf(taken));
        assertThat(client.call("GetStock", "<ItemID>1</ItemID>").status()).isEqualTo(200);
    }
}
