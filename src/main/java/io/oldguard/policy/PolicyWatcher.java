package io.oldguard.policy;

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
import java.util.stream.Stream;

/**
 * Polls the policy folder and {@code sidecar.yaml} on a virtual thread and calls back when their content changed
 * and then stayed the same for a quiet spell. It compares content, not timestamps or inotify events, because a
 * Kubernetes ConfigMap update swaps a {@code ..data} symlink: the files' own paths never see a write. The quiet
 * spell (debounce) keeps an editor's multi-file save or a half-copied folder from being loaded midway.
 */
final class PolicyWatcher implements AutoCloseable {

    private final Thread thread;

    /**
     * @param configFile also watched; null when the configuration was built in code
     */
    PolicyWatcher(Path dir, Path configFile, Duration interval, Duration quiet, Runnable changed) {
        this.thread = Thread.ofVirtual().name("oldguard-policy-watch").start(() -> {
            String seen = contentHash(dir, configFile);
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(interval);
                    String now = contentHash(dir, configFile);
                    if (now.equals(seen)) {
                        continue;
                    }
                    String settled;
                    // Wait until two looks a quiet spell apart agree: the edit is complete.
                    while (!(settled = awaitQuiet(quiet, dir, configFile)).equals(now)) {
                        now = settled;
                    }
                    seen = now;
                    changed.run();
                }
            } catch (InterruptedException e) {
                // Closing.
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
                files.addAll(entries.filter(Files::isRegularFile).sorted().toList());
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

    @Override
    public void close() {
        thread.interrupt();
    }
}
