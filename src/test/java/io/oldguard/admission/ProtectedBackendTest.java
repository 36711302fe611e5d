package io.oldguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.AsyncBackend;
import io.oldguard.call.Backend;
import io.oldguard.call.CallControl;
import io.oldguard.call.CallResult;
import io.oldguard.call.Caller;
import io.oldguard.call.Reachability;
import io.oldguard.call.ToolCall;
import io.oldguard.catalog.Tool;
import io.oldguard.config.BackendLimits;
import io.oldguard.config.BreakerSettings;
import io.oldguard.config.Rate;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import io.oldguard.halt.Halt;
import io.oldguard.store.LocalState;
import io.oldguard.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Admission's bookkeeping around a backend that always times out, on fake time. */
class ProtectedBackendTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final Tool GET_STOCK = SETUP.catalog().find("GetStock").orElseThrow();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final AtomicInteger reached = new AtomicInteger();
    /** The legacy service, as far as admission can tell: every call ends in a timeout. */
    private final Backend alwaysTimesOut = new Backend() {
        @Override
        public CallResult invoke(ToolCall call) {
            reached.incrementAndGet();
            return new CallResult.Failure(Refusals.backendTimeout("inventory", Duration.ofMillis(30)));
        }

        @Override
        public Reachability probe() {
            return Reachability.reachable();
        }
    };
    private final ProtectedBackend backend = new ProtectedBackend("inventory", alwaysTimesOut, 4, BackendLimits.defaults(),
            new BreakerSettings(10f, Duration.ofSeconds(3), 50f, 10, 5, Duration.ofSeconds(10), 1),
            call -> Verdict.ALLOW, SETUP::policies, clock, LocalState.alone(clock, clock, "test"), new SimpleMeterRegistry());

    @Test
    void timeoutsOfTheToolsOwnDeadlineOpenTheBreaker() {
        for (int i = 0; i < 10; i++) {
            backend.invoke(call(false));
        }

        assertThat(reached.get()).as("open after the minimum of 5 calls").isEqualTo(5);
    }

    @Test
    void timeoutsOfAClientsShorterDeadlineDoNotOpenTheBreakerForEveryone() {
        for (int i = 0; i < 10; i++) {
            backend.invoke(call(true));
        }

        assertThat(reached.get()).isEqualTo(10);
        assertThat(backend.invoke(call(false))).isInstanceOfSatisfying(CallResult.Failure.class,
                f -> assertThat(f.refusal().outcome()).isEqualTo("backend_timeout"));
    }

    @Test
    void aCallRefusedAtTheLastLookIsNotSentAndNotCountedByTheBreaker() {
        AtomicInteger looks = new AtomicInteger();
        Halt halt = new Halt("bot", Halt.MANUAL, "by hand", clock.instant(), null, null, null, null, "test");
        ProtectedBackend haltedWhileWaiting = new ProtectedBackend("inventory", alwaysTimesOut, 4, BackendLimits.defaults(),
                new BreakerSettings(10f, Duration.ofSeconds(3), 50f, 10, 5, Duration.ofSeconds(10), 1),
                call -> looks.incrementAndGet() <= 10 ? Refusals.halted(halt) : Verdict.ALLOW, SETUP::policies, clock,
                LocalState.alone(clock, clock, "test"), new SimpleMeterRegistry());

        for (int i = 0; i < 10; i++) {
            assertThat(haltedWhileWaiting.invoke(call(false))).isInstanceOfSatisfying(CallResult.Failure.class,
                    f -> assertThat(f.refusal().status()).isEqualTo(423));
        }
        assertThat(reached.get()).as("nothing sent while halted").isZero();
        for (int i = 0; i < 10; i++) {
            haltedWhileWaiting.invoke(call(false));
        }

        // Had the ten refusals counted as successes, the first timeout (1 in 10) would have opened it.
        assertThat(reached.get()).as("open after the minimum of 5 calls it saw").isEqualTo(5);
    }

    @Test
    void theTokensOfACallThatHadItsTurnButWasNotSentGoToTheNextCall() {
        AtomicInteger looks = new AtomicInteger();
        Halt halt = new Halt("bot", Halt.MANUAL, "by hand", clock.instant(), null, null, null, null, "test");
        ProtectedBackend shaped = new ProtectedBackend("inventory", alwaysTimesOut, 4,
                new BackendLimits(Rate.parse("10/s burst 1"), Duration.ofMillis(50), 10, 10),
                new BreakerSettings(10f, Duration.ofSeconds(3), 50f, 10, 5, Duration.ofSeconds(10), 1),
                call -> looks.incrementAndGet() == 1 ? Refusals.halted(halt) : Verdict.ALLOW, SETUP::policies, clock,
                LocalState.alone(clock, clock, "test"), new SimpleMeterRegistry());

        assertThat(shaped.invoke(call(false))).as("halted at the last look, after taking the only token")
                .isInstanceOfSatisfying(CallResult.Failure.class, f -> assertThat(f.refusal().status()).isEqualTo(423));
        shaped.invoke(call(false));

        assertThat(reached.get()).as("the next call went on that token, the clock standing still").isEqualTo(1);
    }

    @Test
    void aCallWhoseDeadlineComesBeforeItsTurnIsRefusedAtOnceAsSaturated() {
        ProtectedBackend shaped = new ProtectedBackend("inventory", alwaysTimesOut, 4,
                new BackendLimits(Rate.parse("10/s burst 1"), Duration.ofSeconds(5), 10, 10),
                new BreakerSettings(10f, Duration.ofSeconds(3), 50f, 10, 5, Duration.ofSeconds(10), 1),
                call -> Verdict.ALLOW, SETUP::policies, clock, LocalState.alone(clock, clock, "test"), new SimpleMeterRegistry());
        shaped.invoke(call(false));

        CallResult hurried = shaped.invoke(new ToolCall("r", new Caller.Agent("bot"), GET_STOCK,
                JsonNodeFactory.instance.objectNode().put("ItemID", 1), clock.instant(), clock.instant().plusMillis(50), true));

        assertThat(hurried).isInstanceOfSatisfying(CallResult.Failure.class, f -> {
            assertThat(f.refusal().status()).isEqualTo(503);
            assertThat(f.refusal().outcome()).isEqualTo("backend_saturated");
            assertThat(f.refusal().detail()).contains("its turn is about 100 ms away, and a call is queued only for a turn within 45 ms (nine tenths of the 50 ms it may wait)");
            assertThat(f.refusal().retryAfter()).isEqualTo(Duration.ofMillis(100));
        });
        assertThat(reached.get()).isEqualTo(1);
    }

    @Test
    void aCallStartedOnTheEventLoopWhoseSendingFailsGivesItsSlotBack() {
        AtomicInteger sends = new AtomicInteger();
        AsyncBackend failsFirst = new AsyncBackend() {
            @Override
            public CompletableFuture<CallResult> start(ToolCall call, CallControl control) {
                if (sends.incrementAndGet() == 1) {
                    throw new IllegalStateException("no request could be built");
                }
                return CompletableFuture.completedFuture(new CallResult.Success(JsonNodeFactory.instance.objectNode()));
            }

            @Override
            public CallResult invoke(ToolCall call) {
                throw new AssertionError("a call that can be sent at once is not sent the blocking way");
            }

            @Override
            public Reachability probe() {
                return Reachability.reachable();
            }
        };
        Guard neverBlocks = new Guard() {
            @Override
            public Verdict check(ToolCall call) {
                return Verdict.ALLOW;
            }

            @Override
            public boolean mayBlock(ToolCall call) {
                return false;
            }
        };
        // One slot: the second call is sent at once only if the first gave its slot back.
        ProtectedBackend oneSlot = new ProtectedBackend("inventory", failsFirst, 1, BackendLimits.defaults(),
                new BreakerSettings(10f, Duration.ofSeconds(3), 50f, 10, 5, Duration.ofSeconds(10), 1), neverBlocks,
                SETUP::policies, clock, LocalState.alone(clock, clock, "test"), new SimpleMeterRegistry());
        CallControl control = new CallControl(null, Runnable::run);

        assertThatThrownBy(() -> oneSlot.start(call(false), control)).isInstanceOf(IllegalStateException.class);

        assertThat(oneSlot.start(call(false), control).join()).isInstanceOf(CallResult.Success.class);
        assertThat(sends).hasValue(2);
    }

    private ToolCall call(boolean deadlineFromClient) {
        return new ToolCall("r", new Caller.Agent("bot"), GET_STOCK, JsonNodeFactory.instance.objectNode().put("ItemID", 1),
                clock.instant(), clock.instant().plusSeconds(2), deadlineFromClient);
    }
}
