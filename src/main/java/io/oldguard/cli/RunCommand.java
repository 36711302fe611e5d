package io.oldguard.cli;

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

    public static void awaitShutdown(AutoCloseable... resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // Shutting down: the next resource must still be closed.
                }
            }
            stopped.countDown();
        }, "oldguard-shutdown"));
        stopped.await();
    }
}
