package io.oldguard.halt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.CallResult;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.guard.Refusals;
import io.oldguard.store.LocalState;
import io.oldguard.store.Streaks;
import io.oldguard.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorStreakGuardTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final int FAULTS = 3;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));

    /**
     * The fault that completes a streak and the agent's halt are one step. A fault reported in between (a thread
     * descheduled after counting, on a loaded machine) used to start a new streak and return, giving its call's
     * in-flight place back while the agent was not yet halted: another call of the agent then reached the service.
     */
    @Test
    void aFaultReportedWhileAStreakIsBeingHaltedReturnsOnlyOnceTheHaltIsInForce() throws Exception {
        HaltRegistry registry = HaltRegistry.open(dir.resolve("halts.json"), clock, new SimpleMeterRegistry());
        CountDownLatch counted = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        Streaks local = LocalState.alone(TimeMeter.SYSTEM_MILLISECONDS, clock, "test").streaks();
        Streaks pausing = new Streaks() {
            @Override
            public int fault(String agent, Duration window, int threshold) {
                int length = local.fault(agent, window, threshold);
                if (length >= threshold) {
                    counted.countDown();
                    awaitQuietly(go);
                }
                return length;
            }

            @Override
            public void success(String agent) {
                local.success(agent);
            }

            @Override
            public boolean local() {
                return true;
            }
        };
        ErrorStreakGuard guard = new ErrorStreakGuard(registry, pausing, FAULTS, Duration.ofSeconds(60),
                SETUP::policies, clock);
        for (int i = 1; i < FAULTS; i++) {
            guard.completed(call("r-" + i), clientFault());
        }

        Thread completing = Thread.ofPlatform().start(() -> guard.completed(call("r-3"), clientFault()));
        assertThat(counted.await(10, TimeUnit.SECONDS)).as("the streak's last fault was counted").isTrue();
        Thread next = Thread.ofPlatform().start(() -> guard.completed(call("r-4"), clientFault()));
        // Either it returned (the defect) or it waits for the halt; nothing else can become of it.
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (next.isAlive() && next.getState() != Thread.State.WAITING && System.nanoTime() < giveUp) {
            Thread.sleep(1);
        }
        boolean returnedBeforeTheHalt = !next.isAlive();
        go.countDown();
        completing.join();
        next.join();

        assertThat(returnedBeforeTheHalt).as("the next fault's report returned before the halt was in force").isFalse();
        assertThat(registry.current("support-bot")).hasValueSatisfying(h -> {
            assertThat(h.reason()).isEqualTo(Halt.ERROR_STREAK);
            assertThat(h.requestId()).isEqualTo("r-3");
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CallResult clientFault() {
        return new CallResult.Failure(Refusals.soapFault("inventory", "soap:Client", "Item not found: 9000001"));
    }

    private ToolCall call(String requestId) {
        return new ToolCall(requestId, new Caller.Agent("support-bot"),
                SETUP.policies().catalog().find("GetStock").orElseThrow(),
                JsonNodeFactory.instance.objectNode().put("ItemID", 9_000_001), clock.instant(),
                clock.instant().plusSeconds(5));
    }
}
