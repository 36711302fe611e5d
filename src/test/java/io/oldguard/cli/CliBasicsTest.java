package io.oldguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BrokenCopies;
import io.oldguard.testing.ConsoleCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The small things a newcomer meets first: the version, one agent's tools, and what a wrong invocation says. */
class CliBasicsTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void printsItsVersionAsCommandAndAsOption() {
        assertThat(Main.run(new String[] {"--version"})).isZero();
        assertThat(Main.run(new String[] {"version"})).isZero();
        assertThat(console.out()).startsWith("oldguard ").contains("\noldguard ");
    }

    @Test
    void toolsForOneAgentShowsOnlyWhatItIsGranted() {
        assertThat(Main.run(new String[] {"tools", "--agent", "support-bot"})).isZero();
        assertThat(console.out()).contains("\"name\" : \"GetStock\"").contains("\"name\" : \"low_stock\"")
                .doesNotContain("\"name\" : \"ReserveStock\"");
    }

    @Test
    void toolsForAnUnknownAgentNamesTheKnownOnes() {
        assertThat(Main.run(new String[] {"tools", "--agent", "nobody"})).isEqualTo(1);
        assertThat(console.err()).contains("no agent nobody in sidecar.yaml (expected one of: order-bot, support-bot)");
    }

    @Test
    void agentsWithoutAnActionAsksForOne() {
        assertThat(Main.run(new String[] {"agents", "--agent", "order-bot"})).isEqualTo(2);
        assertThat(console.err()).contains("which action? (expected: list, release or halt").doesNotContain("unexpected argument");
    }

    @Test
    void agentsNamesAnAdminPortNothingListensOn() throws IOException {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "tokenEnv: OLDGUARD_ADMIN_TOKEN", "tokenFile: admin.token");
        Files.writeString(dir.resolve("admin.token"), "admin-test-token-0123456789abcdef\n");
        int closed = freePort();
        assertThat(Main.run(new String[] {"agents", "list", "--config", config.toString(),
                "--admin-url", "http://127.0.0.1:" + closed})).isEqualTo(1);
        assertThat(console.err()).contains("cannot reach the admin API at http://127.0.0.1:" + closed + " (connection refused)")
                .doesNotContain("(null)");
    }

    @Test
    void simulatorNamesATakenPortAndTheOptionThatMovesIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(io.oldguard.demo.DemoMain.run(new String[] {"simulator", "--port", String.valueOf(taken.getLocalPort())})).isEqualTo(1);
            assertThat(console.err()).contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use")
                    .contains("choose another with --port").doesNotContain(",");
        }
    }

    @Test
    void demoNamesATakenPortAndTheOptionThatMovesIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(io.oldguard.demo.DemoMain.run(new String[] {"demo", "--exit", "--agent-port", String.valueOf(port),
                    "--admin-port", String.valueOf(freePort()), "--simulator-port", String.valueOf(freePort())})).isEqualTo(1);
            assertThat(console.err()).contains("port " + port + " on 127.0.0.1 is in use").contains("choose another with --agent-port");
        }
    }



    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
