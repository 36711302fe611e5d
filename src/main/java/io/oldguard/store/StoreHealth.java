package io.oldguard.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.lettuce.core.RedisCommandInterruptedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.oldguard.audit.Events;
import io.oldguard.metrics.MetricNames;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small breaker in front of Redis: after one failed operation the store is left alone for {@code retryAfter}
 * and every call uses the fallback at once, so a slow or absent Redis costs at most one timeout per interval
 * instead of one per call. The background probe (or the first call after the interval) tries it again.
 */
final class StoreHealth {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.store");

    private final long retryAfterNanos;
    private final MeterRegistry metrics;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile boolean down;
    private final AtomicLong retryAt = new AtomicLong();
    private volatile String lastError = "";

    StoreHealth(Duration retryAfter, MeterRegistry metrics) {
        this.retryAfterNanos = retryAfter.toNanos();
        this.metrics = metrics;
        Gauge.builder(MetricNames.STORE_FALLBACK, this, h -> h.down ? 1 : 0)
                .description("1 while the shared store (Redis) is away and the fallback is in force").register(metrics);
    }

    /**
     * Whether an operation may go to Redis now: it is up, or it is time to try it again and this caller is the one
     * that tries. One try per interval however many calls arrive at that moment, so that a frozen Redis costs one
     * timeout per interval, not one for every call in flight when the interval ends.
     */
    boolean usable() {
        if (!down) {
            return true;
        }
        long due = retryAt.get();
        long now = System.nanoTime();
        return now - due >= 0 && retryAt.compareAndSet(due, now + retryAfterNanos);
    }

    boolean down() {
        return down;
    }

    String lastError() {
        return lastError;
    }

    /** Runs one Redis operation, timing it; a failure marks the store down and is thrown on. */
    <T> T call(String op, Supplier<T> operation) {
        Timer.Sample sample = Timer.start(metrics);
        try {
            T result = operation.get();
            sample.stop(timer(op));
            succeeded();
            return result;
        } catch (RuntimeException e) {
            sample.stop(timer(op));
            if (!interrupted(e)) {
                failed(op, e);
            }
            throw e;
        }
    }

    /**
     * Whether an operation failed because its call was cancelled (the client went away and its thread was
     * interrupted) rather than because of Redis: that says nothing about the store and must not send every call
     * of this sidecar to the fallback.
     */
    static boolean interrupted(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof RedisCommandInterruptedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@link #call} for an operation that answers later: timed and recorded when it completes, on whichever thread
     * completes it. A failure marks the store down and completes the returned future with it.
     */
    <T> CompletableFuture<T> callAsync(String op, Supplier<CompletableFuture<T>> operation) {
        Timer.Sample sample = Timer.start(metrics);
        CompletableFuture<T> started;
        try {
            started = operation.get();
        } catch (RuntimeException e) {
            sample.stop(timer(op));
            failed(op, e);
            return CompletableFuture.failedFuture(e);
        }
        return started.whenComplete((result, failure) -> {
            sample.stop(timer(op));
            if (failure == null) {
                succeeded();
            } else {
                failed(op, failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
            }
        });
    }

    void succeeded() {
        if (down) {
            down = false;
            LOG.warn("shared store is back; fleet limits and halts are shared again", kv("event", Events.STORE_RECOVERED));
        }
    }

    void failed(String op, Throwable e) {
        Counter.builder(MetricNames.STORE_ERRORS).description("Shared store operations that failed or timed out, by op")
                .tag(MetricNames.TAG_OP, op).register(metrics).increment();
        retryAt.set(System.nanoTime() + retryAfterNanos);
        lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (!down) {
            down = true;
            LOG.error("shared store unreachable ({}); falling back", lastError, kv("event", Events.STORE_UNAVAILABLE),
                    kv("op", op));
        }
    }

    private Timer timer(String op) {
        return timers.computeIfAbsent(op, o -> Timer.builder(MetricNames.STORE_LATENCY)
                .description("Time of shared store operations, by op").tag(MetricNames.TAG_OP, o)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(1)).register(metrics));
    }
}
