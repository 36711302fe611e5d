package io.oldguard.halt;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.metrics.MetricNames;
import io.oldguard.store.SharedRecords;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this sidecar's halts in step with the fleet's. Every halt and release decided here is queued and written
 * to the shared records (the latest decision about an agent wins, by its time); every {@code sync} interval the
 * records are read and what other sidecars decided is applied to the local {@link HaltRegistry}, which the halt
 * guard reads on every call without touching the store.
 *
 * <p>Nothing is lost while the store is away: the local registry keeps refusing the agents it knows are halted,
 * and decisions made meanwhile stay queued until the store answers. When the store comes back empty (Redis
 * restarted without persistence: its generation id changed) this sidecar writes everything it knows again.
 */
public final class FleetHalts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.halts");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** What the fleet says of one agent: halted (with the halt) or released, by which sidecar. */
    record Decision(Halt halt, String by) {
    }

    private record Known(Decision decision, long stamp) {
    }

    private final HaltRegistry registry;
    private final SharedRecords records;
    private final String sidecarId;
    private final Clock clock;
    private final Duration interval;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Thread syncer;
    private String generation;
    private volatile boolean closed;

    private FleetHalts(HaltRegistry registry, SharedRecords records, String sidecarId, Clock clock, Duration interval,
            MeterRegistry metrics) {
        this.registry = registry;
        this.records = records;
        this.sidecarId = sidecarId;
        this.clock = clock;
        this.interval = interval;
        Gauge.builder(MetricNames.STORE_HALTS_PENDING, pending, Set::size)
                .description("Halts and releases decided here, not yet written to the shared store").register(metrics);
        this.syncer = Thread.ofPlatform().daemon().name("oldguard-fleet-halts").unstarted(this::run);
    }

    /**
     * Starts sharing: the halts this sidecar already holds (from its file) are offered to the fleet with the time
     * they were decided, so a later release by another sidecar still wins over them.
     */
    public static FleetHalts start(HaltRegistry registry, SharedRecords records, String sidecarId, Clock clock,
            Duration interval, MeterRegistry metrics) {
        FleetHalts fleet = new FleetHalts(registry, records, sidecarId, clock, interval, metrics);
        for (Halt halt : registry.all()) {
            String by = halt.sidecar() == null ? sidecarId : halt.sidecar();
            fleet.known.put(halt.agent(), new Known(new Decision(halt, by), halt.since().toEpochMilli()));
            fleet.pending.add(halt.agent());
        }
        registry.listen(fleet::decided);
        fleet.sync();
        fleet.syncer.start();
        return fleet;
    }

    /** A halt (or, with null, a release) decided by this sidecar: queued for the fleet at once. */
    private synchronized void decided(String agent, Halt halt) {
        Known before = known.get(agent);
        long stamp = Math.max(clock.millis(), before == null ? 0 : before.stamp() + 1);
        known.put(agent, new Known(new Decision(halt, sidecarId), stamp));
        pending.add(agent);
        notifyAll();
    }

    private void run() {
        while (!closed) {
            synchronized (this) {
                try {
                    if (pending.isEmpty()) {
                        wait(interval.toMillis());
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
            sync();
            if (!pending.isEmpty()) {
                // The store is away: try again at the next interval, not in a tight loop.
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One exchange: write what is queued, then apply what others decided. A store failure leaves it all queued. */
    void sync() {
        try {
            String current = records.generation();
            if (!current.equals(generation)) {
                if (generation != null) {
                    LOG.warn("shared store lost its halts (new generation); writing this sidecar's {} again", known.size(),
                            kv("event", Events.STORE_REPUBLISHED), kv("agents", known.keySet()));
                }
                pending.addAll(known.keySet());
                generation = current;
            }
            for (String agent : Set.copyOf(pending)) {
                Known k = known.get(agent);
                records.put(agent, JSON.writeValueAsString(k.decision()), k.stamp(), Objects.toString(k.decision().by(), ""));
                synchronized (this) {
                    if (known.get(agent) == k) {
                        pending.remove(agent);
                    }
                }
            }
            Map<String, SharedRecords.Stamped> all = records.all();
            registry.whileDeciding(() -> all.forEach(this::apply));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a halt could not be written as JSON", e);
        } catch (RuntimeException e) {
            // The store's health check has logged and counted it; everything stays queued for the next exchange.
        }
    }

    private synchronized void apply(String agent, SharedRecords.Stamped stamped) {
        Known mine = known.get(agent);
        // The latest decision wins; between two with the same stamp (decided apart within one millisecond), the one
        // of the sidecar whose id sorts last, here as in the store, so every sidecar settles on the same.
        if (mine != null && !stamped.winsOver(mine.stamp(), mine.decision().by())) {
            return;
        }
        Decision decision;
        try {
            decision = JSON.readValue(stamped.value(), Decision.class);
        } catch (JsonProcessingException e) {
            LOG.error("unreadable halt of agent {} in the shared store; ignored", agent, kv("event", Events.INTERNAL_ERROR));
            return;
        }
        known.put(agent, new Known(decision, stamped.stamp()));
        if (decision.halt() == null) {
            registry.releaseFromFleet(agent, decision.by());
        } else if (!decision.halt().expired(clock.instant())) {
            registry.applyFromFleet(decision.halt());
        }
    }

    @Override
    public void close() {
        closed = true;
        syncer.interrupt();
    }
}
