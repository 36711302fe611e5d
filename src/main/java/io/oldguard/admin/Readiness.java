package io.oldguard.admin;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.call.Backend;
import io.oldguard.metrics.MetricNames;
import io.oldguard.store.SharedState;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes each backend on a virtual thread at a fixed interval and keeps the last answer, so {@code /readyz}
 * reads a flag instead of doing network I/O on the admin event loop. The probe is a TCP connect: it proves the
 * legacy service listens without adding a SOAP call to its load.
 */
public final class Readiness implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

    private final Map<String, Backend> backends;
    private final SharedState store;
    private final Map<String, Boolean> up = new ConcurrentHashMap<>();
    private final Thread prober;

    /** @param store where limits and halts live; in fleet mode its state is shown, and {@code refuse} while away is not ready */
    public Readiness(Map<String, Backend> backends, SharedState store, Duration interval, MeterRegistry registry) {
        this.backends = Map.copyOf(backends);
        this.store = store;
        backends.keySet().forEach(name -> {
            up.put(name, Boolean.FALSE);
            Gauge.builder(MetricNames.BACKEND_UP, () -> up.get(name) ? 1 : 0)
                    .description("1 when the backend answered the last reachability probe")
                    .tag(MetricNames.TAG_BACKEND, name)
                    .register(registry);
        });
        probeAll();
        this.prober = Thread.ofVirtual().name("oldguard-readiness").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
                probeAll();
            }
        });
    }

    private void probeAll() {
        backends.forEach((name, backend) -> {
            boolean now = backend.reachable();
            Boolean before = up.put(name, now);
            if (before == null || before != now) {
                LOG.info("backend {} is {}", name, now ? "reachable" : "unreachable",
                        kv("event", Events.BACKEND_REACHABILITY), kv("backend", name), kv("reachable", now));
            }
        });
    }

    /** Backend name → reachable, in name order. */
    public Map<String, Boolean> backends() {
        return new TreeMap<>(up);
    }

    /**
     * Every backend answers, and the limits can be applied: always for a sidecar alone; in fleet mode the store is
     * up, or its fallback is local shares (a sidecar that refuses every call while Redis is away is not ready).
     */
    public boolean ready() {
        return !up.containsValue(Boolean.FALSE) && !String.valueOf(store.status().get("fallback")).startsWith("refuse");
    }

    /** The shared store's mode and state, for {@code /readyz}. */
    public Map<String, Object> store() {
        return store.status();
    }

    @Override
    public void close() {
        prober.interrupt();
    }
}
