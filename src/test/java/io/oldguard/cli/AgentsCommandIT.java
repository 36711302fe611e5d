package io.oldguard.cli;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BrokenCopies;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code oldguard agents} against a running sidecar's admin API. */
class AgentsCommandIT {

    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void haltsListsAndReleasesAnAgent() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "tokenEnv: OLDGUARD_ADMIN_TOKEN", "tokenFile: admin.token");
        Files.writeString(dir.resolve("admin.token"), ADMIN_TOKEN + "\n");
        try (SidecarHarness harness = SidecarHarness.start()) {
            String[] common = {"--config", config.toString(), "--admin-url", harness.admin().base()};

            assertThat(Main.run(concat(new String[] {"agents", "halt", "--agent", "order-bot", "--reason", "cli test"}, common))).isZero();
            assertThat(harness.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 1}").status()).isEqualTo(423);
            assertThat(Main.run(concat(new String[] {"agents", "list"}, common))).isZero();
            assertThat(console.out()).contains("\"agent\" : \"order-bot\"").contains("cli test");
            assertThat(Main.run(concat(new String[] {"agents", "release", "--agent", "order-bot"}, common))).isZero();
            assertThat(harness.agent().postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 1}").status()).isEqualTo(200);
            assertThat(Main.run(concat(new String[] {"agents", "release", "--agent", "order-bot"}, common))).isEqualTo(1);
        }
    }

    @Test
    void haltingAnAgentThatIsAlreadyHaltedIsRefusedAndKeepsTheFirstReason() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "tokenEnv: OLDGUARD_ADMIN_TOKEN", "tokenFile: admin.token");
        Files.writeString(dir.resolve("admin.token"), ADMIN_TOKEN + "\n");
        try (SidecarHarness harness = SidecarHarness.start()) {
            String[] common = {"--config", config.toString(), "--admin-url", harness.admin().base()};
            assertThat(Main.run(concat(new String[] {"agents", "halt", "--agent", "order-bot", "--reason", "first"}, common))).isZero();

            int second = Main.run(concat(new String[] {"agents", "halt", "--agent", "order-bot", "--reason", "second"}, common));

            assertThat(second).isEqualTo(1);
            assertThat(console.out()).contains("already-halted").contains("halted by an operator: first");
            assertThat(harness.admin().get("/v1/agents/halted", ADMIN_TOKEN).body()).contains("first").doesNotContain("second");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
