package io.oldguard.admission;

import io.oldguard.store.LocalState;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BackendLimits;
import io.oldguard.config.Rate;
import io.oldguard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The leaky bucket's arithmetic on fake time: reserved turns, smoothing, and the bounds on waiting. */
class ShaperTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));

    @Test
    void aBurstIsSpreadAtTheRateInsteadOfPassedOn() {
        Shaper shaper = new Shaper(limits("10/s burst 1", 10, 10, Duration.ofSeconds(5)), LocalState.alone(clock, clock, "test"), "backend|inventory");

        assertThat(shaper.admit("a", 1, Duration.ofSeconds(5)).ticket().waitTime()).isZero();
        assertThat(shaper.admit("a", 1, Duration.ofSeconds(5)).ticket().waitTime()).isEqualTo(Duration.ofMillis(100));
        assertThat(shaper.admit("a", 1, Duration.ofSeconds(5)).ticket().waitTime()).isEqualTo(Duration.ofMillis(200));
        assertThat(shaper.admit("b", 1, Duration.ofSeconds(5)).ticket().waitTime()).isEqualTo(Duration.ofMillis(300));
        assertThat(shaper.queued()).isEqualTo(3);
    }

    @Test
    void theBurstPassesAtOnceThenTheRateApplies() {
        Shaper shaper = new Shaper(limits("10/s burst 3", 10, 10, Duration.ofSeconds(5)), LocalState.alone(clock, clock, "test"), "backend|inventory");

        for (int i = 0; i < 3; i++) {
            assertThat(shaper.admit("a", 1, Duration.ofSeconds(5)).ticket().waitTime()).isZero();
        }
        assertThat(shaper.admit("a", 1, Duration.ofSeconds(5)).ticket().waitTime()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void aTurnFurtherAwayThanMaxWaitIsRefusedWithItsEstimate() {
        Shaper shaper = new Shaper(limits("10/s burst 1", 100, 100, Duration.ofMillis(250)), LocalState.alone(clock, clock, "test"), "backend|inventory");
        for (int i = 0; i < 3; i++) {
            shaper.admit("a", 1, Duration.ofMillis(250));
        }

        Shaper.Admission refused = shaper.admit("a", 1, Duration.ofMillis(250));

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.refusedBecause()).isEqualTo("a turn is more than 250 ms away");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void theQueueIsBoundedOverallAndPerAgent() {
        Shaper shaper = new Shaper(limits("1/s burst 1", 3, 2, Duration.ofMinutes(1)), LocalState.alone(clock, clock, "test"), "backend|inventory");
        shaper.admit("a", 1, Duration.ofMinutes(1));
        shaper.admit("a", 1, Duration.ofMinutes(1));
        shaper.admit("a", 1, Duration.ofMinutes(1));

        assertThat(shaper.admit("a", 1, Duration.ofMinutes(1)).refusedBecause())
                .isEqualTo("agent a already has 2 calls waiting");
        assertThat(shaper.admit("b", 1, Duration.ofMinutes(1)).admitted()).isTrue();
        assertThat(shaper.admit("c", 1, Duration.ofMinutes(1)).refusedBecause())
                .isEqualTo("all 3 places in its queue are taken");
    }

    @Test
    void closingATicketFreesItsPlace() {
        Shaper shaper = new Shaper(limits("1/s burst 1", 1, 1, Duration.ofMinutes(1)), LocalState.alone(clock, clock, "test"), "backend|inventory");
        shaper.admit("a", 1, Duration.ofMinutes(1)).ticket().close();
        Shaper.Ticket waiting = shaper.admit("a", 1, Duration.ofMinutes(1)).ticket();
        assertThat(shaper.admit("a", 1, Duration.ofMinutes(1)).admitted()).isFalse();

        waiting.close();

        assertThat(shaper.queued()).isZero();
        assertThat(shaper.admit("a", 1, Duration.ofMinutes(1)).admitted()).isTrue();
    }

    @Test
    void withoutARateNothingWaits() {
        Shaper shaper = new Shaper(BackendLimits.defaults(), LocalState.alone(clock, clock, "test"), "backend|inventory");

        for (int i = 0; i < 100; i++) {
            assertThat(shaper.admit("a", 1, Duration.ofSeconds(1)).ticket().waitTime()).isZero();
        }
    }

    @Test
    void reconfiguringKeepsTheTokensTheBucketHasLeft() {
        Shaper shaper = new Shaper(limits("10/s burst 10", 10, 10, Duration.ofSeconds(5)), LocalState.alone(clock, clock, "test"), "backend|inventory");
        for (int i = 0; i < 10; i++) {
            shaper.admit("a", 1, Duration.ZERO).ticket().close();
        }

        shaper.reconfigure(limits("10/s burst 20", 10, 10, Duration.ofSeconds(5)));

        assertThat(shaper.admit("a", 1, Duration.ZERO).admitted()).as("a larger burst is not a refill").isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(shaper.admit("a", 1, Duration.ZERO).admitted()).isTrue();
    }

    @Test
    void reconfiguringToASmallerBurstCutsWhatIsLeft() {
        Shaper shaper = new Shaper(limits("10/s burst 10", 10, 10, Duration.ofSeconds(5)), LocalState.alone(clock, clock, "test"), "backend|inventory");

        shaper.reconfigure(limits("1/s burst 2", 10, 10, Duration.ofSeconds(5)));

        assertThat(shaper.admit("a", 1, Duration.ZERO).admitted()).isTrue();
        assertThat(shaper.admit("a", 1, Duration.ZERO).admitted()).isTrue();
        assertThat(shaper.admit("a", 1, Duration.ZERO).admitted()).isFalse();
    }

    private static BackendLimits limits(String rate, int maxQueue, int perAgent, Duration maxWait) {
        return new BackendLimits(Rate.parse(rate), maxWait, maxQueue, perAgent);
    }
}
