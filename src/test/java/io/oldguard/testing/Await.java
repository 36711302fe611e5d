package io.oldguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition against a deadline, for integration tests that wait on a server (never a fixed sleep). */
public final class Await {

    private Await() {
    }

    /** @return how long it took */
    public static Duration until(Duration deadline, String what, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, deadline).isLessThan(end);
            Thread.sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
