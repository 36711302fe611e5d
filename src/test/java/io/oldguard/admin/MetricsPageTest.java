package io.oldguard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetricsPageTest {

    private final List<Runnable> workerQueue = new ArrayList<>();
    private final Executor workers = workerQueue::add;
    private final AtomicInteger renders = new AtomicInteger();
    private final MetricsPage page = new MetricsPage(() -> "render " + renders.incrementAndGet(), workers);

    @Test
    void rendersOnAWorkerNotOnTheCallersThread() {
        var text = page.text();

        assertThat(text).isNotDone();
        assertThat(renders).hasValue(0);
        runWorkers();
        assertThat(text).isCompletedWithValue("render 1");
    }

    @Test
    void scrapesWhileARenderRunsShareIt() {
        var first = page.text();
        var second = page.text();
        var third = page.text();
        runWorkers();

        assertThat(second).isSameAs(first);
        assertThat(third).isSameAs(first);
        assertThat(renders).hasValue(1);
    }

    @Test
    void aScrapeAfterARenderEndedRendersAfresh() {
        page.text();
        runWorkers();

        var later = page.text();
        runWorkers();

        assertThat(later).isCompletedWithValue("render 2");
    }

    private void runWorkers() {
        List<Runnable> queued = List.copyOf(workerQueue);
        workerQueue.clear();
        queued.forEach(Runnable::run);
    }
}
