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

/** {@code oldguard approvals} against a running sidecar's admin API. */
class ApprovalsCommandIT {

    private static final String RESERVE_45 = "{\"ItemID\": 42, \"Quantity\": 45, \"OrderRef\": \"PO-004711\"}";
    private static final String RESERVE_30 = "{\"ItemID\": 42, \"Quantity\": 30, \"OrderRef\": \"PO-004711\"}";

    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void listsApprovesAndDeniesHeldCalls() throws Exception {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "tokenEnv: OLDGUARD_ADMIN_TOKEN", "tokenFile: admin.token");
        Files.writeString(dir.resolve("admin.token"), ADMIN_TOKEN + "\n");
        try (SidecarHarness harness = SidecarHarness.start()) {
            String[] common = {"--config", config.toString(), "--admin-url", harness.admin().base()};
            String approveId = harness.agent().postJson("/v1/tools/ReserveStock", ORDER_TOKEN, RESERVE_45).json()
                    .path("approvalId").asText();
            String denyId = harness.agent().postJson("/v1/tools/ReserveStock", ORDER_TOKEN, RESERVE_30).json()
                    .path("approvalId").asText();

            assertThat(Main.run(concat(new String[] {"approvals", "list"}, common))).isZero();
            assertThat(console.out()).contains(approveId).contains(denyId).contains("\"pending\"");
            assertThat(Main.run(concat(new String[] {"approvals", "approve", approveId, "--by", "alice"}, common))).isZero();
            assertThat(Main.run(concat(new String[] {"approvals", "deny", denyId, "--reason", "too much"}, common))).isZero();

            assertThat(harness.agent().postJson("/v1/tools/ReserveStock", ORDER_TOKEN, RESERVE_45).status()).isEqualTo(200);
            assertThat(harness.agent().postJson("/v1/tools/ReserveStock", ORDER_TOKEN, RESERVE_30).json().path("reason")
                    .asText()).isEqualTo("too much");
            assertThat(Main.run(concat(new String[] {"approvals", "approve", "ap-0000000000000000"}, common)))
                    .as("an unknown id").isEqualTo(1);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
