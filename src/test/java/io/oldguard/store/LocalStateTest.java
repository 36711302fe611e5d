package io.oldguard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.ConsumptionProbe;
import io.oldguard.config.Rate;
import io.oldguard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LocalStateTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));

    @Test
    void aSidecarAloneAppliesTheRateAsConfiguredAndAnEditKeepsTheTokens() {
        LocalState state = LocalState.alone(clock, clock, "a");
        TokenBucket bucket = state.bucket("agent|bot", Rate.parse("10/s burst 4"));
        assertThat(bucket.tryConsume(3).isConsumed()).isTrue();

        TokenBucket edited = state.bucket("agent|bot", Rate.parse("10/s burst 40"));

        assertThat(edited).isSameAs(bucket);
        assertThat(edited.tryConsume(2).isConsumed()).as("one token left, not a fresh burst of 40").isFalse();
        assertThat(edited.tryConsume(1).isConsumed()).isTrue();
    }

    @Test
    void aFallbackAppliesItsShareStartsEmptyAndRefillsAtTheSharedRate() {
        LocalState fallback = LocalState.fallback(clock, clock, "a", 0.25);
        TokenBucket bucket = fallback.bucket("backend|inventory", Rate.parse("40/s burst 20"));

        assertThat(bucket.tryConsume(1).isConsumed()).as("starts empty").isFalse();
        clock.advance(Duration.ofSeconds(10));
        assertThat(bucket.tryConsume(5).isConsumed()).as("a quarter of the burst of 20").isTrue();
        assertThat(bucket.tryConsume(1).isConsumed()).isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(bucket.tryConsume(1).isConsumed()).as("10/s: one token per 100 ms").isTrue();
    }

    @Test
    void aCallCostingMoreThanTheFallbacksBurstPassesOnceItsCostIsSavedUpAtTheSharedRate() {
        // 50/s burst 10 at a quarter: 12.5/s burst 2, and a reservation costs 5.
        LocalState fallback = LocalState.fallback(clock, clock, "a", 0.25);
        TokenBucket bucket = fallback.bucket("backend|inventory", Rate.parse("50/s burst 10"));

        assertThat(bucket.tryConsume(5).isConsumed()).as("starts empty").isFalse();
        clock.advance(Duration.ofMillis(400));
        assertThat(bucket.tryConsume(5).isConsumed()).as("5 tokens saved up at 12.5/s").isTrue();
        ConsumptionProbe next = bucket.tryConsume(5);
        assertThat(next.isConsumed()).isFalse();
        assertThat(Duration.ofNanos(next.getNanosToWaitForRefill())).as("the next one, at the shared rate")
                .isEqualTo(Duration.ofMillis(400));
        clock.advance(Duration.ofSeconds(10));
        assertThat(bucket.tryConsume(6).isConsumed()).as("after 10 s idle it holds 5, the largest charge so far, not more").isFalse();
        assertThat(fallback.bucket("backend|inventory", Rate.parse("50/s burst 10"))).as("the same bucket").isSameAs(bucket);
    }

    @Test
    void aFallbackCapsCallsInFlightToItsShareOfTheFleetsSlots() throws InterruptedException {
        Leases leases = LocalState.fallback(clock, clock, "a", 0.25).leases("inventory", 8);
        Instant expires = clock.instant().plusSeconds(10);

        Leases.Lease first = leases.acquire(Duration.ZERO, expires);
        Leases.Lease second = leases.acquire(Duration.ZERO, expires);

        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(leases.acquire(Duration.ZERO, expires)).as("2 of the fleet's 8").isNull();
        first.close();
        first.close();
        assertThat(leases.acquire(Duration.ZERO, expires)).isNotNull();
        assertThat(leases.acquire(Duration.ZERO, expires)).as("closing twice gives back one slot").isNull();
    }

    @Test
    void aSidecarAloneHasNoFleetCap() throws InterruptedException {
        Leases leases = LocalState.alone(clock, clock, "a").leases("inventory", 1);

        assertThat(leases.acquire(Duration.ZERO, clock.instant())).isNotNull();
        assertThat(leases.acquire(Duration.ZERO, clock.instant())).as("the pod's bulkhead is its cap").isNotNull();
    }

    @Test
    void aStreakEndsWithASuccessOrAtItsThresholdAndForgetsFaultsOutsideTheWindow() {
        Streaks streaks = LocalState.alone(clock, clock, "a").streaks();
        Duration window = Duration.ofSeconds(60);

        assertThat(streaks.fault("bot", window, 3)).isEqualTo(1);
        streaks.success("bot");
        assertThat(streaks.fault("bot", window, 3)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(61));
        assertThat(streaks.fault("bot", window, 3)).as("the first fault is outside the window").isEqualTo(1);
        assertThat(streaks.fault("bot", window, 3)).isEqualTo(2);
        assertThat(streaks.fault("bot", window, 3)).isEqualTo(3);
        assertThat(streaks.fault("bot", window, 3)).isEqualTo(1);
    }
}
