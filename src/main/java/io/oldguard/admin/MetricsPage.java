package io.oldguard.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The {@code /metrics} text, rendered on a worker thread and kept for {@link #MAX_AGE}: rendering walks every
 * meter and takes milliseconds, which on the admin event loop delayed health checks behind it (four scrapers
 * pushed {@code /healthz} to a median of 124 ms). Scrapes that arrive while a render runs, or within a second
 * of one, share it, so any number of scrapers cost one render a second at most.
 */
final class MetricsPage {

    static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final Supplier<String> render;
    private final Executor workers;
    private final Clock clock;
    // Guarded by this; held only to compare and swap, never while rendering.
    private CompletableFuture<String> current;
    private Instant startedAt;

    MetricsPage(Supplier<String> render, Executor workers, Clock clock) {
        this.render = render;
        this.workers = workers;
        this.clock = clock;
    }

    synchronized CompletableFuture<String> text() {
        Instant now = clock.instant();
        if (current == null || (current.isDone() && !now.isBefore(startedAt.plus(MAX_AGE)))) {
            startedAt = now;
            current = CompletableFuture.supplyAsync(render, workers);
        }
        return current;
    }
}
