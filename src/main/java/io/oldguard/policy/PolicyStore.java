package io.oldguard.policy;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.audit.Events;
import io.oldguard.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy set in force, and its reloading. A reload builds a complete new set and swaps one reference; a
 * set that fails to load never replaces the good one, and the failure is kept for operators to read. A watcher
 * on a virtual thread reloads when the policy files change (their content, not their timestamps, so the symlink
 * swaps of a Kubernetes ConfigMap are seen too).
 */
public final class PolicyStore implements Supplier<PolicySet>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);

    /** What the last reload did. */
    public record Reload(Instant at, boolean applied, String version, List<String> problems) {
        public Reload {
            problems = List.copyOf(problems);
        }
    }

    private final AtomicReference<PolicySet> current;
    private final Supplier<PolicySet> loader;
    private final Path dir;
    private final Clock clock;
    private final AtomicReference<Reload> lastReload;
    private final List<Consumer<PolicySet>> listeners = new CopyOnWriteArrayList<>();
    private volatile Thread watcher;

    /** @param loader builds a new policy set from disk, throwing {@link ConfigException} with every problem */
    public PolicyStore(PolicySet initial, Supplier<PolicySet> loader, Path dir, Clock clock) {
        this.current = new AtomicReference<>(initial);
        this.loader = loader;
        this.dir = dir;
        this.clock = clock;
        this.lastReload = new AtomicReference<>(new Reload(clock.instant(), true, initial.version(), List.of()));
    }

    @Override
    public PolicySet get() {
        return current.get();
    }

    public Reload lastReload() {
        return lastReload.get();
    }

    /** Called with the new set after every applied reload (e.g. to tell MCP sessions their tools changed). */
    public void onChange(Consumer<PolicySet> listener) {
        listeners.add(listener);
    }

    /** Loads the policy folder again; blocking (file I/O, maybe the database): never on an event loop. */
    public synchronized Reload reload() {
        PolicySet before = current.get();
        Reload result;
        try {
            PolicySet loaded = loader.get();
            current.set(loaded);
            result = new Reload(clock.instant(), true, loaded.version(), List.of());
            if (!loaded.version().equals(before.version())) {
                LOG.warn("policies reloaded: {} -> {}", before.version(), loaded.version(), kv("event", Events.POLICY_RELOADED),
                        kv("from", before.version()), kv("to", loaded.version()));
                listeners.forEach(l -> l.accept(loaded));
            }
        } catch (RuntimeException e) {
            // Any failure, even a bug, keeps the set in force and the watcher alive.
            List<String> problems = e instanceof ConfigException ce ? ce.problems() : List.of("reload failed: " + e);
            result = new Reload(clock.instant(), false, before.version(), problems);
            LOG.error("policy reload refused; keeping version {}", before.version(), kv("event", Events.POLICY_RELOAD_FAILED),
                    kv("version", before.version()), kv("problems", problems));
        }
        lastReload.set(result);
        return result;
    }

    /** Reloads whenever the files' content changes, checking every {@code interval}. */
    public void watch(Duration interval) {
        watcher = Thread.ofVirtual().name("oldguard-policy-watch").start(() -> {
            String seen = contentHash();
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
                String now = contentHash();
                if (!now.equals(seen)) {
                    seen = now;
                    reload();
                }
            }
        });
    }

    private String contentHash() {
        try (Stream<Path> files = Files.list(dir)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                digest.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unreadable";
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
