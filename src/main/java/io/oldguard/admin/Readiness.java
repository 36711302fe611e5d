package io.oldguard.admin;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.call.Backend;
import io.oldguard.call.Reachability;
import io.oldguard.metrics.MetricNames;
import io.oldguard.store.SharedState;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes each backend on a virtual thread at a fixed interval and keeps the last answer, so {@code /readyz}
 * reads a flag instead of doing network I/O on the admin event loop. A SOAP service is probed with a TCP
 * connect (it proves the service listens without adding a SOAP call to its load); a database with a login and
 * {@code SELECT 1}, because its port answering says nothing about whether oldguard may use it.
 */
public final class Readiness implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    private static final Reachability NOT_PROBED = Reachability.unreachable("not-probed", "no probe has finished yet");

    private final Map<String, Backend> backends;
    private final SharedState store;
    private final Map<String, Reachability> found = new ConcurrentHashMap<>();
    private final Thread prober;

    /** @param store where limits and halts live; in fleet mode its state is shown, and {@code refuse} while away is not ready */
    public Readiness(Map<String, Backend> backends, SharedState store, Duration interval, MeterRegistry registry) {
        this.backends = Map.copyOf(backends);
        this.store = store;
        backends.keySet().forEach(name -> {
            found.put(name, NOT_PROBED);
            Gauge.builder(MetricNames.BACKEND_UP, () -> found.get(name).up() ? 1 : 0)
                    .description("1 when the last readiness probe could use the backend (a database: log in and run SELECT 1)")
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
            Reachability now = backend.probe();
            Reachability before = found.put(name, now);
            // Logged on a change of state or reason, not of detail: a refused connect's text may vary.
            if (before.state() != now.state() || !Objects.equals(before.reason(), now.reason())) {
                if (now.up()) {
                    LOG.info("backend {} is reachable", name, kv("event", Events.BACKEND_REACHABILITY), kv("backend", name),
                            kv("state", now.state().label()), kv("reachable", true));
                } else {
                    LOG.warn("backend {}: {}", name, now.describe(), kv("event", Events.BACKEND_REACHABILITY),
                            kv("backend", name), kv("state", now.state().label()), kv("reachable", false),
                            kv("reason", now.reason()), kv("detail", now.detail()));
                }
            }
        });
    }

    /** Backend name → what its last probe found, in name order. */
    public Map<String, Reachability> backends() {
        return new TreeMap<>(found);
    }

    /**
     * Every backend answers, and the limits can be applied: always for a sidecar alone; in fleet mode the store is
     * up, or its fallback is local shares (a sidecar that refuses every call while Redis is away is not ready).
     */
    public boolean ready() {
        return found.values().stream().allMatch(Reachability::up) && !store.refusing();
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
