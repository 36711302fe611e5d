package io.oldguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BrokenCopies;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping and failing to start: nothing is left running, and the reason names the setting. */
class ShutdownIT {

    @TempDir
    Path dir;

    @Test
    void theDemoStopsItsEmbeddedPostgresOnSigterm() throws Exception {
        Path out = dir.resolve("demo.out");
        Process demo = new ProcessBuilder(Path.of("bin/oldguard").toAbsolutePath().toString(), "demo",
                "--agent-port", String.valueOf(freePort()), "--admin-port", String.valueOf(freePort()),
                "--simulator-port", String.valueOf(freePort()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            for (int i = 0; i < 600 && !Files.readString(out).contains("try it yourself"); i++) {
                assertThat(demo.isAlive()).as(Files.readString(out)).isTrue();
                Thread.sleep(200);
            }
            String said = Files.readString(out);
            assertThat(said).contains("try it yourself");
            Matcher port = Pattern.compile("embedded PostgreSQL on 127\\.0\\.0\\.1:(\\d+)").matcher(said);
            assertThat(port.find()).as(said).isTrue();
            int postgres = Integer.parseInt(port.group(1));
            assertThat(listening(postgres, Duration.ZERO)).isTrue();

            demo.destroy();   // SIGTERM

            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(listening(postgres, Duration.ofSeconds(10))).as("the embedded PostgreSQL still listens").isFalse();
        } finally {
            demo.descendants().forEach(ProcessHandle::destroy);
            demo.destroyForcibly();
        }
    }

    /** Whether something accepts connections on the port, still, after {@code patience}. */
    private static boolean listening(int port, Duration patience) throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            } catch (IOException e) {
                return false;
            }
            if (System.nanoTime() >= until) {
                return true;
            }
            Thread.sleep(200);
        }
    }

    @Test
    void runNamesTheListenerWhosePortIsTaken() throws IOException, InterruptedException {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "tokenEnv: OLDGUARD_TOKEN_SUPPORT_BOT", "tokenFile: support.token");
        BrokenCopies.replace(config, "tokenEnv: OLDGUARD_TOKEN_ORDER_BOT", "tokenFile: order.token");
        BrokenCopies.replace(config, "tokenEnv: OLDGUARD_ADMIN_TOKEN", "tokenFile: admin.token");
        for (String token : new String[] {"support", "order", "admin"}) {
            Files.writeString(dir.resolve(token + ".token"), token + "-test-token-0123456789abcdef\n");
        }
        BrokenCopies.replace(config, "port: 8080", "port: " + freePort());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BrokenCopies.replace(config, "port: 9901", "port: " + taken.getLocalPort());
            Path err = dir.resolve("run.err");
            Process run = new ProcessBuilder(Path.of("bin/oldguard").toAbsolutePath().toString(), "run",
                    "--config", config.toString()).redirectError(err.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                assertThat(run.waitFor(120, TimeUnit.SECONDS)).as("run exits instead of hanging").isTrue();
                assertThat(run.exitValue()).isEqualTo(1);
                assertThat(Files.readString(err)).contains("listeners.admin.port: port " + taken.getLocalPort()
                        + " on 127.0.0.1 is in use by another process").doesNotContain("BindException");
            } finally {
                run.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
