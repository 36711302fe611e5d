package io.oldguard.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The {@code /metrics} text, rendered on a worker thread: rendering walks every meter and takes milliseconds,
 * which on the admin event loop delayed health checks behind it (four scrapers pushed {@code /healthz} to a
 * median of 124 ms). Scrapes that arrive while a render runs share it, so any number of scrapers cost one render
 * at a time. Nothing is kept afterwards: a scrape that starts after an event sees it.
 */
final class MetricsPage {

    private final Supplier<String> render;
    private final Executor workers;
    // Guarded by this; held only to look and swap, never while rendering.
    private CompletableFuture<String> running;

    MetricsPage(Supplier<String> render, Executor workers) {
        this.render = render;
        this.workers = workers;
    }

    synchronized CompletableFuture<String> text() {
        if (running == null || running.isDone()) {
            running = CompletableFuture.supplyAsync(render, workers);
        }
        return running;
    }
}
