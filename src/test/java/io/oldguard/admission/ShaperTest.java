package io.oldguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BackendLimits;
import io.oldguard.config.Rate;
import io.oldguard.store.LocalState;
import io.oldguard.testing.Await;
import io.oldguard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shaper with its dispatcher on a bucket on fake time: turns come only when the test moves the clock, one per
 * token, so which call got it is certain. Refusals are decided at once and need no waiting.
 */
class ShaperTest {

    private static final double EQUAL = 1;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));

    @AfterEach
    void everyWaitRunsOut() {
        // Calls a test left waiting pass their bounds, so the dispatcher has nothing left to do and ends.
        clock.advance(Duration.ofHours(1));
    }

    @Test
    void aBurstIsSpreadAtTheRateInsteadOfPassedOn() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 1", 10, 10, Duration.ofSeconds(5)));

        assertThat(shaper.admit("a", EQUAL, 1, Duration.ofSeconds(5)).ticket().await()).isTrue();
        Shaper.Ticket second = shaper.admit("a", EQUAL, 1, Duration.ofSeconds(5)).ticket();
        Shaper.Ticket third = shaper.admit("a", EQUAL, 1, Duration.ofSeconds(5)).ticket();
        assertThat(shaper.queued()).isEqualTo(2);

        clock.advance(Duration.ofMillis(100));
        assertThat(second.await()).isTrue();
        assertThat(shaper.queued()).as("one token, one call").isEqualTo(1);

        clock.advance(Duration.ofMillis(100));
        assertThat(third.await()).isTrue();
        assertThat(shaper.queued()).isZero();
    }

    @Test
    void theBurstPassesAtOnceThenTheRateApplies() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 3", 10, 10, Duration.ofSeconds(5)));

        for (int i = 0; i < 3; i++) {
            assertThat(shaper.admit("a", EQUAL, 1, Duration.ofSeconds(5)).ticket().await()).isTrue();
        }
        assertThat(shaper.queued()).isZero();
        assertThat(shaper.admit("a", EQUAL, 1, Duration.ofSeconds(5)).admitted()).isTrue();
        assertThat(shaper.queued()).isEqualTo(1);
    }

    @Test
    void anAgentWithOneCallWaitingIsServedAheadOfAStormsQueue() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 1", 20, 10, Duration.ofSeconds(5)));
        for (int i = 0; i < 9; i++) {
            assertThat(shaper.admit("storm", EQUAL, 1, Duration.ofSeconds(5)).admitted()).isTrue();
        }

        Shaper.Ticket quiet = shaper.admit("quiet", EQUAL, 1, Duration.ofSeconds(5)).ticket();
        assertThat(shaper.waitingAgents()).isEqualTo(2);
        clock.advance(Duration.ofMillis(100));
        Await.until(Duration.ofSeconds(5), "a turn given", () -> shaper.queued() == 8);
        clock.advance(Duration.ofMillis(100));

        assertThat(quiet.await()).as("served within two turns, not after the storm's eight").isTrue();
        assertThat(shaper.queued()).isEqualTo(7);
        assertThat(shaper.waitingAgents()).isEqualTo(1);
    }

    @Test
    void aTurnFurtherAwayThanMaxWaitIsRefusedAtOnceWithItsEstimate() {
        Shaper shaper = shaper(limits("10/s burst 1", 100, 100, Duration.ofMillis(250)));
        for (int i = 0; i < 3; i++) {
            assertThat(shaper.admit("a", EQUAL, 1, Duration.ofMillis(250)).admitted()).isTrue();
        }

        Shaper.Admission refused = shaper.admit("a", EQUAL, 1, Duration.ofMillis(250));

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.refusedBecause()).isEqualTo("its turn is about 300 ms away, and a call is queued only for a turn within 225 ms (nine tenths of the 250 ms it may wait)");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(300));
        assertThat(shaper.admit("b", EQUAL, 1, Duration.ofMillis(250)).admitted())
                .as("another agent's turn is sooner than the third of a's").isTrue();
    }

    @Test
    void aCallsCostCountsInItsEstimate() {
        Shaper shaper = shaper(limits("10/s burst 5", 100, 100, Duration.ofMillis(900)));
        assertThat(shaper.admit("a", EQUAL, 5, Duration.ofMillis(900)).admitted()).isTrue();
        assertThat(shaper.admit("a", EQUAL, 5, Duration.ofMillis(900)).admitted()).as("its turn in 500 ms").isTrue();

        Shaper.Admission refused = shaper.admit("b", EQUAL, 5, Duration.ofMillis(900));

        assertThat(refused.refusedBecause())
                .isEqualTo("its turn is about 1000 ms away, and a call is queued only for a turn within 810 ms (nine tenths of the 900 ms it may wait)");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(shaper.admit("b", EQUAL, 4, Duration.ofMillis(900)).admitted())
                .as("its turn in 900 ms: within maxWait, but in the tenth kept in reserve").isFalse();
        assertThat(shaper.admit("b", EQUAL, 3, Duration.ofMillis(900)).admitted()).as("a lighter call fits").isTrue();
    }

    @Test
    void theQueueIsBoundedOverallAndPerAgent() {
        Shaper shaper = shaper(limits("1/s burst 1", 3, 2, Duration.ofMinutes(1)));
        shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1));
        shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1));
        shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1));

        Shaper.Admission perAgent = shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1));
        assertThat(perAgent.refusedBecause()).isEqualTo("agent a already has 2 calls waiting");
        assertThat(perAgent.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(shaper.admit("b", EQUAL, 1, Duration.ofMinutes(1)).admitted()).isTrue();
        Shaper.Admission overall = shaper.admit("c", EQUAL, 1, Duration.ofMinutes(1));
        assertThat(overall.refusedBecause()).isEqualTo("all 3 places in its queue are taken");
        assertThat(overall.retryAfter()).isPositive();
    }

    @Test
    void aCallWhoseTurnDoesNotComeWithinItsBoundLeavesTheQueue() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 1", 10, 10, Duration.ofMillis(300)));
        shaper.admit("a", EQUAL, 1, Duration.ofMillis(300));
        // Its turn is 100 ms away, but the test's clock never gets there.
        Shaper.Ticket waiting = shaper.admit("b", EQUAL, 1, Duration.ofMillis(300)).ticket();

        assertThat(waiting.await()).isFalse();
        assertThat(shaper.queued()).isZero();
    }

    @Test
    void aQueuedCallThatOtherAgentsPushedPastItsBoundIsToldAtOnceNotWhenItRunsOut() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 1", 20, 20, Duration.ofSeconds(1)));
        shaper.admit("a", EQUAL, 1, Duration.ofSeconds(1));
        Shaper.Ticket last = null;
        for (int i = 0; i < 9; i++) {
            last = shaper.admit("a", EQUAL, 1, Duration.ofSeconds(1)).ticket();
        }
        assertThat(last).as("its turn in 900 ms: queued").isNotNull();

        // Each goes before a's second call's successors: a's last turn moves to 1,000, then 1,100 ms.
        for (String other : new String[] {"b", "c", "d"}) {
            assertThat(shaper.admit(other, EQUAL, 1, Duration.ofSeconds(1)).admitted()).isTrue();
        }

        Await.until(Duration.ofSeconds(5), "the late call taken out", () -> shaper.queued() == 11);
        assertThat(last.await()).as("refused while its bound is still 1 s away on the clock").isFalse();
    }

    @Test
    void tokensTheBucketRefilledWhileTheDispatcherWasAwayGoToTheWaitingCallsInFairOrder() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 5", 20, 20, Duration.ofSeconds(5)));
        for (int i = 0; i < 5; i++) {
            assertThat(shaper.admit("a", EQUAL, 1, Duration.ofSeconds(5)).ticket().await()).as("the burst").isTrue();
        }
        List<Shaper.Ticket> a = new ArrayList<>();
        List<Shaper.Ticket> b = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            a.add(shaper.admit("a", EQUAL, 1, Duration.ofSeconds(5)).ticket());
        }
        for (int i = 0; i < 3; i++) {
            b.add(shaper.admit("b", EQUAL, 1, Duration.ofSeconds(5)).ticket());
        }

        clock.advance(Duration.ofMillis(500));

        Await.until(Duration.ofSeconds(5), "five tokens handed out", () -> shaper.queued() == 1);
        for (Shaper.Ticket served : List.of(a.get(0), b.get(0), a.get(1), b.get(1), a.get(2))) {
            assertThat(served.await()).isTrue();
        }
        assertThat(shaper.waitingAgents()).as("b's third call waits for the next token").isEqualTo(1);
        clock.advance(Duration.ofMillis(100));
        assertThat(b.get(2).await()).isTrue();
    }

    @Test
    void aCancelledCallLeavesTheQueueAtOnce() throws Exception {
        Shaper shaper = shaper(limits("1/s burst 1", 1, 1, Duration.ofMinutes(1)));
        shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1));
        Shaper.Ticket waiting = shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1)).ticket();
        assertThat(shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1)).admitted()).isFalse();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                waiting.await();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        Await.until(Duration.ofSeconds(5), "the caller waiting", () -> caller.getState() == Thread.State.WAITING
                || caller.getState() == Thread.State.TIMED_WAITING);

        caller.interrupt();
        caller.join(Duration.ofSeconds(5));

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(shaper.queued()).isZero();
        assertThat(shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1)).admitted()).isTrue();
    }

    @Test
    void aTokenTakenForACallThatWasCancelledMeanwhileGoesBack() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 1", 10, 10, Duration.ofMinutes(1)));
        shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1));
        Shaper.Ticket waiting = shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1)).ticket();
        clock.advance(Duration.ofMillis(100));
        Await.until(Duration.ofSeconds(5), "the turn given", () -> shaper.queued() == 0);

        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            // Cancelled before it saw its turn had come.
            Thread.currentThread().interrupt();
            try {
                waiting.await();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }).join();

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(shaper.admit("b", EQUAL, 1, Duration.ZERO).admitted()).as("the token is back").isTrue();
    }

    @Test
    void whenOtherSidecarsTakeHalfTheTokensTurnsAreEstimatedAtThePaceThisOneGets() throws Exception {
        LocalState state = LocalState.alone(clock, clock, "test");
        Shaper shaper = new Shaper(limits("10/s burst 1", 20, 20, Duration.ofMinutes(1)), state, "backend|inventory", clock);
        for (int i = 0; i < 5; i++) {
            assertThat(shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1)).admitted()).isTrue();
        }
        for (int grants = 1; grants <= 3; grants++) {
            clock.advance(Duration.ofMillis(100));
            int waiting = 4 - grants;
            Await.until(Duration.ofSeconds(5), "a turn given", () -> shaper.queued() == waiting);
            // Another sidecar takes the next token from the same bucket.
            clock.advance(Duration.ofMillis(100));
            assertThat(state.bucket("backend|inventory", Rate.parse("10/s burst 1")).tryConsume(1).isConsumed()).isTrue();
        }

        Shaper.Admission refused = shaper.admit("a", EQUAL, 1, Duration.ofMillis(300));

        assertThat(refused.refusedBecause()).as("2 tokens at the 200 ms this sidecar gets each, not at 100 ms")
                .isEqualTo("its turn is about 400 ms away, and a call is queued only for a turn within 270 ms (nine tenths of the 300 ms it may wait)");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aCallThatCostsMoreThanTheBurstIsRefusedAtOnce() {
        Shaper shaper = shaper(limits("10/s burst 3", 10, 10, Duration.ofMinutes(1)));
        shaper.admit("a", EQUAL, 3, Duration.ofMinutes(1));
        shaper.admit("a", EQUAL, 1, Duration.ofMinutes(1));

        assertThat(shaper.admit("b", EQUAL, 4, Duration.ofMinutes(1)).refusedBecause())
                .isEqualTo("a call of cost 4 never fits its burst of 3");
    }

    @Test
    void aWaitingCallThatAReloadMadeTooCostlyStepsAsideForTheOthers() throws Exception {
        Shaper shaper = shaper(limits("10/s burst 3", 10, 10, Duration.ofMinutes(1)));
        shaper.admit("a", EQUAL, 3, Duration.ofMinutes(1));
        Shaper.Ticket costly = shaper.admit("a", EQUAL, 3, Duration.ofMinutes(1)).ticket();
        Shaper.Ticket light = shaper.admit("b", EQUAL, 1, Duration.ofMinutes(1)).ticket();

        shaper.reconfigure(limits("10/s burst 2", 10, 10, Duration.ofMinutes(1)));
        clock.advance(Duration.ofMillis(100));

        assertThat(costly.await()).isFalse();
        assertThat(light.await()).isTrue();
    }

    @Test
    void withoutARateNothingWaits() throws Exception {
        Shaper shaper = shaper(BackendLimits.defaults());

        for (int i = 0; i < 100; i++) {
            assertThat(shaper.admit("a", EQUAL, 1, Duration.ofSeconds(1)).ticket().await()).isTrue();
        }
        assertThat(shaper.queued()).isZero();
    }

    @Test
    void reconfiguringKeepsTheTokensTheBucketHasLeft() {
        Shaper shaper = shaper(limits("10/s burst 10", 10, 10, Duration.ofSeconds(5)));
        for (int i = 0; i < 10; i++) {
            assertThat(shaper.admit("a", EQUAL, 1, Duration.ZERO).admitted()).isTrue();
        }

        shaper.reconfigure(limits("10/s burst 20", 10, 10, Duration.ofSeconds(5)));

        assertThat(shaper.admit("a", EQUAL, 1, Duration.ZERO).admitted()).as("a larger burst is not a refill").isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(shaper.admit("a", EQUAL, 1, Duration.ZERO).admitted()).isTrue();
    }

    @Test
    void reconfiguringToASmallerBurstCutsWhatIsLeft() {
        Shaper shaper = shaper(limits("10/s burst 10", 10, 10, Duration.ofSeconds(5)));

        shaper.reconfigure(limits("1/s burst 2", 10, 10, Duration.ofSeconds(5)));

        assertThat(shaper.admit("a", EQUAL, 1, Duration.ZERO).admitted()).isTrue();
        assertThat(shaper.admit("a", EQUAL, 1, Duration.ZERO).admitted()).isTrue();
        assertThat(shaper.admit("a", EQUAL, 1, Duration.ZERO).admitted()).isFalse();
    }

    private Shaper shaper(BackendLimits limits) {
        return new Shaper(limits, LocalState.alone(clock, clock, "test"), "backend|inventory", clock);
    }

    private static BackendLimits limits(String rate, int maxQueue, int perAgent, Duration maxWait) {
        return new BackendLimits(Rate.parse(rate), maxWait, maxQueue, perAgent);
    }
}
