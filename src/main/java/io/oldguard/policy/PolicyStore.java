package io.oldguard.policy;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.config.BackendLimits;
import io.oldguard.config.ConfigException;
import io.oldguard.identity.Identities;
import io.oldguard.metrics.MetricNames;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy set and agent identities in force, and their reloading. A reload builds a complete new set, checks
 * it, and swaps one reference; a set that fails to load never replaces the good one, and the failure is kept for
 * operators, logged and counted. A call runs {@link #pinned pinned} to the set in force when it started, so a
 * swap never changes the rules halfway through a call.
 */
public final class PolicyStore implements Supplier<PolicySet>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);
    // Long enough for an editor's multi-file save, short enough to stay well inside the 2 s an edit may take.
    private static final Duration QUIET = Duration.ofMillis(200);

    /**
     * What the last reload did.
     *
     * @param restartRequired keys of {@code sidecar.yaml} edited on disk that only a restart applies
     */
    public record Reload(Instant at, boolean applied, String version, List<String> problems, List<String> restartRequired) {
        public Reload {
            problems = List.copyOf(problems);
            restartRequired = List.copyOf(restartRequired);
        }
    }

    /**
     * What a reload read from disk, checked and ready to swap in.
     *
     * @param backendLimits the backend-wide limits of {@code sidecar.yaml}, by backend, applied live by listeners
     *                      registered with {@link #onApplied}
     */
    public record Loaded(PolicySet policies, Identities identities, Map<String, BackendLimits> backendLimits,
            List<String> restartRequired) {
        public Loaded {
            backendLimits = Map.copyOf(backendLimits);
            restartRequired = List.copyOf(restartRequired);
        }
    }

    /** The set in force, who the agents are, and since when: swapped as one. */
    private record InForce(PolicySet policies, Identities identities, Instant since) {
    }

    private final AtomicReference<InForce> current;
    private final ThreadLocal<PolicySet> pinned = new ThreadLocal<>();
    private final Supplier<Loaded> loader;
    private final Clock clock;
    private final AtomicReference<Reload> lastReload;
    private final List<Consumer<PolicySet>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Loaded>> appliedListeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock reloading = new ReentrantLock();
    private final Counter applied;
    private final Counter failed;
    private volatile PolicyWatcher watcher;

    /** @param loader reads everything reloadable from disk, throwing {@link ConfigException} with every problem */
    public PolicyStore(PolicySet initial, Identities identities, Supplier<Loaded> loader, Clock clock, MeterRegistry metrics) {
        this.current = new AtomicReference<>(new InForce(initial, identities, clock.instant()));
        this.loader = loader;
        this.clock = clock;
        this.lastReload = new AtomicReference<>(new Reload(clock.instant(), true, initial.version(), List.of(), List.of()));
        this.applied = Counter.builder(MetricNames.POLICY_RELOADS).description("Policy reloads by result")
                .tag(MetricNames.TAG_RESULT, "applied").register(metrics);
        this.failed = Counter.builder(MetricNames.POLICY_RELOADS).description("Policy reloads by result")
                .tag(MetricNames.TAG_RESULT, "failed").register(metrics);
        Gauge.builder(MetricNames.POLICY_LAST_RELOAD_OK, lastReload, r -> r.get().applied() ? 1 : 0)
                .description("1 when the last policy reload applied, 0 when it was refused").register(metrics);
    }

    /** The set this call is pinned to, or else the one in force. */
    @Override
    public PolicySet get() {
        PolicySet mine = pinned.get();
        return mine != null ? mine : current.get().policies();
    }

    public Identities identities() {
        return current.get().identities();
    }

    /** When the set in force was swapped in (or loaded at start). */
    public Instant loadedAt() {
        return current.get().since();
    }

    public Reload lastReload() {
        return lastReload.get();
    }

    /**
     * Runs one call's work with {@link #get()} answering the set in force now, whatever reloads happen meanwhile.
     * A call runs on one thread at a time (its event loop, or a virtual thread from its first step that may wait,
     * with {@link #pinnedTo}), so while it runs the thread-local is the call's own.
     */
    public <T> T pinned(Supplier<T> work) {
        if (pinned.get() != null) {
            return work.get();
        }
        pinned.set(current.get().policies());
        try {
            return work.get();
        } finally {
            // Cleared, not removed: on an event loop, which pins a call after another, remove() made the next set()
            // allocate a new thread-local entry (a weak reference) for every call.
            pinned.set(null);
        }
    }

    /** Runs {@code work} pinned to {@code set}: the rest of a call that started under it, on another thread. */
    public <T> T pinnedTo(PolicySet set, Supplier<T> work) {
        PolicySet before = pinned.get();
        pinned.set(set);
        try {
            return work.get();
        } finally {
            pinned.set(before);
        }
    }

    /** Called with the new set after every reload that changed it (e.g. to tell MCP sessions their tools changed). */
    public void onChange(Consumer<PolicySet> listener) {
        listeners.add(listener);
    }

    /** Called with what every applied reload loaded, for the settings that live outside the policy set. */
    public void onApplied(Consumer<Loaded> listener) {
        appliedListeners.add(listener);
    }

    /**
     * Loads everything reloadable again; blocking (file I/O, maybe the database): never on an event loop. Reloads
     * run one at a time under a lock, not a monitor: on Java 21 a virtual thread waiting inside {@code synchronized}
     * pins its carrier thread, and a reload may wait on the database for seconds.
     */
    public Reload reload() {
        reloading.lock();
        try {
            return reloadLocked();
        } finally {
            reloading.unlock();
        }
    }

    private Reload reloadLocked() {
        PolicySet before = current.get().policies();
        Loaded loaded;
        try {
            loaded = loader.get();
        } catch (RuntimeException e) {
            // Any failure, even a bug, keeps the set in force and the watcher alive.
            List<String> problems = e instanceof ConfigException ce ? ce.problems() : List.of("reload failed: " + e);
            // Restart-only edits found earlier are still pending: keep showing them.
            Reload result = new Reload(clock.instant(), false, before.version(), problems, lastReload.get().restartRequired());
            lastReload.set(result);
            failed.increment();
            LOG.error("policy reload refused; keeping version {}: {}", before.version(), String.join("; ", problems),
                    kv("event", Events.POLICY_RELOAD_FAILED), kv("version", before.version()), kv("problems", problems));
            return result;
        }
        PolicySet now = loaded.policies();
        current.set(new InForce(now, loaded.identities(), clock.instant()));
        Reload result = new Reload(clock.instant(), true, now.version(), List.of(), loaded.restartRequired());
        lastReload.set(result);
        applied.increment();
        if (!now.version().equals(before.version())) {
            LOG.warn("policies reloaded: {} -> {}", before.version(), now.version(), kv("event", Events.POLICY_RELOADED),
                    kv("from", before.version()), kv("to", now.version()));
        }
        if (!loaded.restartRequired().isEmpty()) {
            LOG.warn("sidecar.yaml changed where only a restart applies: {}", loaded.restartRequired(),
                    kv("event", Events.CONFIG_RESTART_REQUIRED), kv("keys", loaded.restartRequired()));
        }
        // The new set is in force whatever a listener does; one that fails is logged and the others still run.
        appliedListeners.forEach(l -> notify(() -> l.accept(loaded)));
        if (!now.version().equals(before.version())) {
            listeners.forEach(l -> notify(() -> l.accept(now)));
        }
        return result;
    }

    private static void notify(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.error("a reload listener failed", kv("event", Events.INTERNAL_ERROR), e);
        }
    }

    /**
     * Reloads whenever the policy files' or the configuration file's content changes, checking every
     * {@code interval}; while the last reload is refused, tries it again every few seconds (a Secret or a
     * database it needs may arrive later than the edit).
     *
     * @param configFile null when the configuration was built in code
     * @param baseline   {@link #contentHash} of the files taken before the set in force was loaded
     */
    public void watch(Path dir, Path configFile, Duration interval, String baseline) {
        watcher = new PolicyWatcher(dir, configFile, interval, QUIET, baseline, () -> !lastReload.get().applied(),
                this::reload);
    }

    /** What the watcher compares: the content of the policy files and of the configuration file (may be null). */
    public static String contentHash(Path dir, Path configFile) {
        return PolicyWatcher.contentHash(dir, configFile);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
