package io.oldguard.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallControlTest {

    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final CallControl control = new CallControl(null, workers);

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void cancellingRunsTheAbortOfTheStepInProgressOnce() {
        AtomicInteger aborts = new AtomicInteger();
        control.onCancel(aborts::incrementAndGet);

        control.cancel();
        control.cancel();

        assertThat(aborts).hasValue(1);
    }

    @Test
    void aStepThatStartsAfterTheCancellationIsAbortedAtOnce() {
        AtomicInteger aborts = new AtomicInteger();
        control.cancel();

        control.onCancel(aborts::incrementAndGet);

        assertThat(aborts).hasValue(1);
    }

    @Test
    void cancellingInterruptsAnOffloadedStepThatWaits() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        var step = control.offload(() -> {
            waiting.countDown();
            try {
                Thread.sleep(60_000);
                return "slept";
            } catch (InterruptedException e) {
                return "interrupted";
            }
        });
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();

        control.cancel();

        assertThat(step.get(5, TimeUnit.SECONDS)).isEqualTo("interrupted");
    }

    @Test
    void theStepAfterAnOffloadedOneKeepsItsOwnAbort() throws Exception {
        AtomicInteger aborts = new AtomicInteger();
        // The next step registers its abort as the offloaded one ends (its continuation runs on the same thread).
        control.offload(() -> "done").thenRun(() -> control.onCancel(aborts::incrementAndGet)).get(5, TimeUnit.SECONDS);

        control.cancel();

        assertThat(aborts).hasValue(1);
    }
}
