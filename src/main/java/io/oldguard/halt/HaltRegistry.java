package io.oldguard.halt;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.config.ConfigException;
import io.oldguard.metrics.MetricNames;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The halted agents, kept in memory for the per-call check and written through to a JSON file on every change
 * (temp file + atomic rename), so a restart never silently frees a halted agent. A file that exists but cannot
 * be read stops the sidecar from starting for the same reason. Halts with a cool-off lift on the first check
 * after their time; the clock is injected so tests run on fake time.
 */
public final class HaltRegistry {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.halts");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Clock clock;
    private final Map<String, Halt> halts = new ConcurrentHashMap<>();
    private final MeterRegistry metrics;
    private final String sidecarId;
    private final ReentrantLock persisting = new ReentrantLock();
    // Held across each change and the listener's hearing of it, and by the fleet's exchange while it applies what
    // other sidecars decided (whileDeciding): a decision made here can then never be undone by an older one from
    // the fleet arriving between the change and its being stamped for the fleet.
    private final ReentrantLock deciding = new ReentrantLock();
    // Told of every halt and release decided here (fleet mode shares them); never of those the fleet applied.
    private volatile HaltListener listener = (agent, halt) -> { };

    /** Hears of the halts and releases this sidecar decides; {@code halt} is null for a release. */
    @FunctionalInterface
    public interface HaltListener {
        void changed(String agent, Halt halt);
    }

    private HaltRegistry(Path file, Clock clock, MeterRegistry metrics, String sidecarId) {
        this.file = file;
        this.clock = clock;
        this.metrics = metrics;
        this.sidecarId = sidecarId;
    }

    public static HaltRegistry open(Path file, Clock clock, MeterRegistry metrics) {
        return open(file, clock, metrics, null);
    }

    /** @param sidecarId recorded in every halt decided here, so an operator of a fleet sees who decided it */
    public static HaltRegistry open(Path file, Clock clock, MeterRegistry metrics, String sidecarId) {
        HaltRegistry registry = new HaltRegistry(file, clock, metrics, sidecarId);
        if (Files.exists(file)) {
            try {
                List<Halt> stored = JSON.readValue(file.toFile(), new TypeReference<List<Halt>>() { });
                stored.forEach(h -> {
                    registry.halts.put(h.agent(), h);
                    // Said at start, so an operator wondering why an agent gets 423 after a restart finds it.
                    LOG.warn("agent {} is still halted ({}, since {}{}): restored from {}", h.agent(), h.reason(), h.since(),
                            h.until() == null ? "" : ", until " + h.until(), file, kv("event", Events.AGENT_HALT_RESTORED),
                            kv("agent", h.agent()), kv("reason", h.reason()), kv("haltedSince", h.since().toString()));
                });
            } catch (IOException e) {
                throw ConfigException.of(file.toString(), "", "the halted-agents file cannot be read ("
                        + e.getMessage() + "); refusing to start rather than free halted agents — fix or remove it");
            }
        }
        Gauge.builder(MetricNames.AGENTS_HALTED, registry.halts, Map::size)
                .description("Agents currently halted").register(metrics);
        return registry;
    }

    /** Whether the agent has a halt on record, in force or run out; never touches the file. */
    public boolean holds(String agent) {
        return halts.containsKey(agent);
    }

    /** The agent's halt in force, lifting it first if its cool-off has passed. */
    public Optional<Halt> current(String agent) {
        Halt halt = halts.get(agent);
        if (halt == null) {
            return Optional.empty();
        }
        if (halt.expired(clock.instant())) {
            if (halts.remove(agent, halt)) {
                persist();
                LOG.warn("agent {} released: cool-off over", agent, kv("event", Events.AGENT_RELEASED),
                        kv("agent", agent), kv("releasedBy", "cool-off"), kv("haltedSince", halt.since().toString()));
            }
            return Optional.empty();
        }
        return Optional.of(halt);
    }

    /** Halts the agent unless it already is; returns the halt in force. */
    public Halt halt(Halt decided) {
        return decide(() -> {
            Halt halt = decided.decidedBy(sidecarId);
            Halt existing = halts.putIfAbsent(halt.agent(), halt);
            if (existing != null) {
                return existing;
            }
            persist();
            counted(halt);
            listener.changed(halt.agent(), halt);
            return halt;
        });
    }

    /**
     * An operator's halt: it stands until an operator releases it, so it replaces a halt that would lift by
     * itself (a cool-off), and is never lost to one that has just expired.
     */
    public Halt haltByOperator(Halt decided) {
        return decide(() -> {
            Halt halt = decided.decidedBy(sidecarId);
            Halt inForce = halts.compute(halt.agent(), (agent, old) -> old == null || old.until() != null ? halt : old);
            persist();
            if (inForce == halt) {
                counted(halt);
                listener.changed(halt.agent(), halt);
            }
            return inForce;
        });
    }

    public Optional<Halt> release(String agent, String by) {
        return decide(() -> {
            Halt removed = halts.remove(agent);
            if (removed != null) {
                persist();
                LOG.warn("agent {} released by {}", agent, by, kv("event", Events.AGENT_RELEASED), kv("agent", agent),
                        kv("releasedBy", by), kv("haltedSince", removed.since().toString()));
                listener.changed(agent, null);
            }
            return Optional.ofNullable(removed);
        });
    }

    /**
     * Runs the fleet's application of other sidecars' decisions with no decision of this sidecar half made: a
     * change here and its stamping for the fleet happen together, before or after, never around it.
     */
    void whileDeciding(Runnable apply) {
        decide(() -> {
            apply.run();
            return null;
        });
    }

    /** One change, with the listener's hearing of it, under the lock the fleet's exchange also takes. */
    private <T> T decide(Supplier<T> change) {
        deciding.lock();
        try {
            return change.get();
        } finally {
            deciding.unlock();
        }
    }

    private void counted(Halt halt) {
        Counter.builder(MetricNames.HALTS).description("Agents halted, by reason")
                .tag(MetricNames.TAG_REASON, halt.reason()).register(metrics).increment();
    }

    /** Fleet mode: hear of every halt and release decided here, to share them. */
    public void listen(HaltListener listener) {
        this.listener = listener;
    }

    /** Another sidecar of the fleet halted the agent: it is refused here too, and stays so across a restart. */
    public void applyFromFleet(Halt halt) {
        decide(() -> {
            Halt previous = halts.put(halt.agent(), halt);
            if (!halt.equals(previous)) {
                persist();
                LOG.warn("agent {} halted by sidecar {}: {}", halt.agent(), halt.sidecar(), halt.detail(),
                        kv("event", Events.FLEET_HALT_APPLIED), kv("agent", halt.agent()), kv("reason", halt.reason()),
                        kv("sidecar", halt.sidecar()));
            }
            return null;
        });
    }

    /** Another sidecar of the fleet released the agent. */
    public void releaseFromFleet(String agent, String sidecar) {
        decide(() -> {
            Halt removed = halts.remove(agent);
            if (removed != null) {
                persist();
                LOG.warn("agent {} released by sidecar {}", agent, sidecar, kv("event", Events.AGENT_RELEASED),
                        kv("agent", agent), kv("releasedBy", "fleet"), kv("sidecar", sidecar),
                        kv("haltedSince", removed.since().toString()));
            }
            return null;
        });
    }

    /** In agent order, without lifting expired ones (listing must not write). */
    public List<Halt> all() {
        return List.copyOf(new TreeMap<>(halts).values());
    }

    public Clock clock() {
        return clock;
    }

    // Locked so two changes never interleave their writes (a lock, not a monitor: file I/O must not pin a carrier
    // thread on Java 21); the in-memory map stays the truth.
    private void persist() {
        persisting.lock();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(temp.toFile(), all());
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // The halt holds in memory; losing it at the next restart is what an operator must hear about.
            LOG.error("cannot persist halted agents to {}", file, kv("event", Events.HALTS_NOT_PERSISTED), e);
        } finally {
            persisting.unlock();
        }
    }
}
