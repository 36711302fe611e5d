package io.oldguard.cli;

import io.netty.util.ResourceLeakDetector;
import io.oldguard.Sidecar;
import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code oldguard run}: serves until SIGTERM/SIGINT, then stops the ports and backends in order. */
public final class RunCommand {

    private RunCommand() {
    }

    static int run(Options options) {
        // Netty's default leak detector records a stack trace for one buffer in 128, on every call path; a serving
        // sidecar leaves it off unless -Dio.netty.leakDetection.level asks for it (the tests keep it on).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        Path config = Path.of(options.get("config", "sidecar.yaml"));
        try {
            Sidecar sidecar = Sidecar.start(ConfigLoader.load(config), config.toString(),
                    () -> ConfigLoader.load(config), System.getenv());
            awaitShutdown(sidecar);
            return 0;
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * Blocks until the JVM is told to stop (SIGTERM, SIGINT), then closes {@code resources} in the given order on
     * the shutdown hook and only then stops logging, so their last lines ({@code sidecar.stopped}) are written.
     * The caller must not close anything itself afterwards: the JVM halts as soon as the hook is done, and
     * whatever a racing main thread was still closing (an embedded PostgreSQL) would be left running. So this
     * never returns.
     */
    public static void awaitShutdown(AutoCloseable... resources) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    // Shutting down: the next resource must still be closed.
                    System.err.println("oldguard: closing " + r + " failed: " + e);
                }
            }
            Main.stopLogging();
        }, "oldguard-shutdown"));
        new CountDownLatch(1).await();
    }
}
