package io.oldguard.policy;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.audit.Events;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the policy folder and {@code sidecar.yaml} on a virtual thread and calls back when their content changed
 * and then stayed the same for a quiet spell. It compares content, not timestamps or inotify events, because a
 * Kubernetes ConfigMap update swaps a {@code ..data} symlink: the files' own paths never see a write. The quiet
 * spell (debounce) keeps an editor's multi-file save or a half-copied folder from being loaded midway.
 */
final class PolicyWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyWatcher.class);
    /** While the last reload is refused, it is tried again this often: a Secret or database it needs may follow. */
    static final Duration RETRY = Duration.ofSeconds(10);

    private final Thread thread;

    /**
     * @param configFile also watched; null when the configuration was built in code
     * @param baseline   the content hash of what is in force (taken before it was loaded, so an edit made while
     *                   the sidecar started is not missed)
     * @param failing    whether the last reload was refused
     */
    PolicyWatcher(Path dir, Path configFile, Duration interval, Duration quiet, String baseline, BooleanSupplier failing,
            Runnable changed) {
        this.thread = Thread.ofVirtual().name("oldguard-policy-watch").start(() -> {
            String seen = baseline;
            long sinceAttempt = 0;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                    sinceAttempt += interval.toMillis();
                    String now = contentHash(dir, configFile);
                    boolean retry = failing.getAsBoolean() && sinceAttempt >= RETRY.toMillis();
                    if (now.equals(seen) && !retry) {
                        continue;
                    }
                    String settled;
                    // Wait until two looks a quiet spell apart agree: the edit is complete.
                    while (!(settled = awaitQuiet(quiet, dir, configFile)).equals(now)) {
                        now = settled;
                    }
                    seen = now;
                    sinceAttempt = 0;
                    changed.run();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException | Error e) {
                    // One bad look (a folder vanishing mid-swap, a bug in a reload) must not end the watching.
                    LOG.error("policy watcher: {}", e.toString(), kv("event", Events.POLICY_RELOAD_FAILED), e);
                }
            }
        });
    }

    private static String awaitQuiet(Duration quiet, Path dir, Path configFile) throws InterruptedException {
        Thread.sleep(quiet);
        return contentHash(dir, configFile);
    }

    static String contentHash(Path dir, Path configFile) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<Path> files = new ArrayList<>();
            if (configFile != null) {
                files.add(configFile);
            }
            try (Stream<Path> entries = Files.list(dir)) {
                // Files.isRegularFile follows symlinks: inventory.yaml -> ..data/inventory.yaml is read through.
                // Only what the loader reads: an editor's swap file is no edit.
                files.addAll(entries.filter(Files::isRegularFile).filter(PolicyWatcher::isPolicyFile).sorted().toList());
            }
            for (Path f : files) {
                digest.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            // Mid-swap a listed file may vanish: report "changed" and let the next look settle it.
            return "unreadable: " + e;
        }
    }

    private static boolean isPolicyFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
