package io.oldguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fair queue's decisions on fake time: who goes next, weighed by share and cost, and its bookkeeping. */
class FairQueueTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    private final FairQueue<String> queue = new FairQueue<>(clock);
    private final Instant bound = clock.instant().plusSeconds(10);

    @Test
    void anAgentWithOneCallWaitingGoesAheadOfTheRestOfAStorm() {
        for (int i = 1; i <= 16; i++) {
            queue.add("storm", 1, 1, bound, "storm-" + i);
        }
        for (int i = 0; i < 3; i++) {
            dispatchNext();
            queue.add("storm", 1, 1, bound, "storm-" + (17 + i));
        }

        queue.add("quiet", 1, 1, bound, "quiet");

        assertThat(List.of(dispatchNext(), dispatchNext())).as("the quiet agent's call, then the storm's oldest")
                .containsExactly("quiet", "storm-4");
        assertThat(queue.waiting("storm")).isEqualTo(15);
    }

    @Test
    void callsThatCanNoLongerGetTheirTurnInTimeAreFoundBeforeTheirBoundPasses() {
        for (int i = 1; i <= 3; i++) {
            queue.add("storm", 1, 1, bound, "storm-" + i);
        }
        queue.add("storm", 1, 1, clock.instant().plusMillis(420), "storm-4");
        queue.add("storm", 2, 1, clock.instant().plusMillis(600), "storm-5");
        // Arrives last and goes second: it pushes every storm call after the first one token back.
        queue.add("quiet", 1, 1, clock.instant().plusMillis(150), "quiet");

        // At 100 ms a token, less the one nearly there: storm-4 is 5th (400 ms), storm-5 ends 7th (600 ms).
        assertThat(queue.beyondBound(clock.instant(), 100_000_000)).as("all in time").isEmpty();
        clock.advance(Duration.ofMillis(30));
        assertThat(queue.beyondBound(clock.instant(), 100_000_000)).extracting(FairQueue.Entry::payload)
                .as("storm-4 behind the quiet call: 430 ms > 420 ms; storm-5 then 6th: 530 ms").containsExactly("storm-4");
        clock.advance(Duration.ofMillis(30));
        assertThat(queue.beyondBound(clock.instant(), 100_000_000)).extracting(FairQueue.Entry::payload)
                .as("the quiet call's bound has come (160 ms > 150 ms); without it storm-4 is in time again")
                .containsExactly("quiet");
        assertThat(queue.size()).as("found, not removed").isEqualTo(6);
    }

    @Test
    void whileBothWaitAnAgentWithTwiceTheShareGetsTwiceTheTokens() {
        for (int i = 0; i < 30; i++) {
            queue.add("order-bot", 1, 2, bound, "order-bot");
            queue.add("support-bot", 1, 1, bound, "support-bot");
        }

        Map<String, Integer> served = dispatch(30);

        assertThat(served).containsEntry("order-bot", 20).containsEntry("support-bot", 10);
    }

    @Test
    void aCallsCostCountsAgainstItsAgentsTurns() {
        Map<String, Long> tokens = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            queue.add("writer", 5, 1, bound, "writer");
        }
        for (int i = 0; i < 30; i++) {
            queue.add("reader", 1, 1, bound, "reader");
        }

        List<String> order = new ArrayList<>();
        for (long total = 0; total < 30; ) {
            FairQueue.Entry<String> next = queue.next();
            queue.dispatched(next);
            order.add(next.payload());
            tokens.merge(next.agent(), next.cost(), Long::sum);
            total += next.cost();
        }

        assertThat(tokens).as("order: %s", order).containsEntry("writer", 15L).containsEntry("reader", 15L);
        assertThat(order.subList(0, 7)).as("five reads for each write")
                .containsExactly("writer", "reader", "reader", "reader", "reader", "reader", "writer");
    }

    @Test
    void anAgentEarnsNoCreditWhileItHasNothingWaiting() {
        for (int i = 0; i < 30; i++) {
            queue.add("busy", 1, 1, bound, "busy");
        }
        dispatch(20);

        for (int i = 0; i < 10; i++) {
            queue.add("late", 1, 1, bound, "late");
        }

        assertThat(dispatch(10)).as("the late agent shares from now on; it is not owed the 20 calls before")
                .containsEntry("busy", 5).containsEntry("late", 5);
    }

    @Test
    void oneAgentsCallsKeepTheirOrderOfArrival() {
        for (int i = 1; i <= 5; i++) {
            queue.add("a", 1 + i % 2, 1, bound, "a-" + i);
        }

        assertThat(List.of(dispatchNext(), dispatchNext(), dispatchNext(), dispatchNext(), dispatchNext()))
                .containsExactly("a-1", "a-2", "a-3", "a-4", "a-5");
    }

    @Test
    void aCallPastItsWaitBoundIsNeverChosen() {
        FairQueue.Entry<String> impatient = queue.add("a", 1, 1, clock.instant().plusMillis(100), "impatient");
        queue.add("a", 1, 1, bound, "patient");

        clock.advance(Duration.ofMillis(100));

        assertThat(queue.next().payload()).isEqualTo("patient");
        queue.remove(impatient);
        queue.dispatched(queue.next());
        assertThat(queue.next()).isNull();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void anAbandonedCallCostsItsAgentNothing() {
        FairQueue.Entry<String> abandoned = queue.add("a", 3, 1, bound, "a-abandoned");
        queue.add("a", 1, 1, bound, "a-next");
        queue.add("b", 1, 1, bound, "b-1");
        queue.add("b", 1, 1, bound, "b-2");

        queue.remove(abandoned);

        assertThat(List.of(dispatchNext(), dispatchNext(), dispatchNext())).containsExactly("a-next", "b-1", "b-2");
    }

    @Test
    void theTokensAheadOfACallAreItsAgentsOwnAndTheOthersThatComeFirst() {
        for (int i = 0; i < 16; i++) {
            queue.add("storm", 1, 1, bound, "storm");
        }
        queue.add("writer", 5, 1, bound, "writer");
        dispatchNext();

        assertThat(queue.tokensAhead("quiet")).as("the write, due as soon as the storm's first call").isEqualTo(5);
        assertThat(queue.tokensAhead("storm")).as("its own 15, and the write").isEqualTo(20);
        assertThat(queue.tokensAhead("writer")).as("its own write, and the storm's calls starting within it")
                .isEqualTo(10);
    }

    @Test
    void itCountsTheCallsAndTheAgentsWaiting() {
        FairQueue.Entry<String> first = queue.add("a", 1, 1, bound, "a");
        queue.add("a", 1, 1, bound, "a");
        FairQueue.Entry<String> b = queue.add("b", 1, 1, bound, "b");

        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.waiting("a")).isEqualTo(2);
        assertThat(queue.agents()).isEqualTo(2);

        queue.dispatched(first);
        queue.remove(b);

        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.waiting("b")).isZero();
        assertThat(queue.agents()).isEqualTo(1);
    }

    private String dispatchNext() {
        FairQueue.Entry<String> next = queue.next();
        queue.dispatched(next);
        return next.payload();
    }

    private Map<String, Integer> dispatch(int calls) {
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            served.merge(dispatchNext(), 1, Integer::sum);
        }
        return served;
    }
}
