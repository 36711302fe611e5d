package io.oldguard.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/** This process's sockets as the kernel lists them, for tests that count connections (Linux only). */
public final class Sockets {

    private Sockets() {
    }

    /** The inodes of this process's socket descriptors (from /proc/self/fd), to look up in /proc/net/tcp and tcp6. */
    public static Set<String> ownInodes() {
        Set<String> own = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        own.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // Closed since it was listed.
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return own;
    }
}
