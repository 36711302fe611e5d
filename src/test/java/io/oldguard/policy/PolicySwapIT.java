package io.oldguard.policy;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A good edit swaps in under live traffic, from a plain folder or a Kubernetes ConfigMap, and keeps agent state. */
class PolicySwapIT {

    private static final String ITEM_RULE = """
            tools:
              GetStock:
                params:
                  ItemID: { minimum: 1, maximum: %d }
                onViolation: reject
            agents:
              support-bot:
                tools: [GetStock]
            """;
    private static final String GRANTS = """
            agents:
              support-bot:
                tools: [%s]
            """;
    private static final String LIMITED = """
            tools:
              GetStock:
                limits: { perAgent: "%s" }
            agents:
              support-bot:
                tools: [GetStock]
              order-bot:
                tools: [GetStock]
            """;
    private static final String ITEM_42 = "{\"ItemID\": 42}";

    @Test
    void aTighteningEditAppliesWithinTwoSecondsWithoutFailingACallInFlight() throws Exception {
        String folder = TestPolicies.folderWith(ITEM_RULE.formatted(9999999));
        // The shipped policyWatch: the 2 s are measured as operators would see them.
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> c.withPolicies(folder))) {
            Http agent = harness.agent();
            Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> traffic = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // Two callers at about 10 calls/s each: steady, and well inside the backend's shaping rate.
                traffic.add(Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        statuses.add(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, ITEM_42).status());
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            Await.until(Duration.ofSeconds(10), "traffic flowing", () -> statuses.size() >= 20);

            Files.writeString(Path.of(folder, "test.yaml"), ITEM_RULE.formatted(999));
            Duration applied = Await.until(Duration.ofSeconds(2), "the tightened rule in force",
                    () -> agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 5000}").body()
                            .contains("fixed-format-error"));
            int atSwap = statuses.size();
            Await.until(Duration.ofSeconds(10), "traffic after the swap", () -> statuses.size() >= atSwap + 20);
            stop.set(true);
            for (Thread t : traffic) {
                t.join();
            }

            System.out.printf("tightened rule applied %d ms after the edit; %d calls, statuses %s%n",
                    applied.toMillis(), statuses.size(), new java.util.TreeSet<>(statuses));
            assertThat(statuses).hasSizeGreaterThanOrEqualTo(40).containsOnly(200);
        }
    }

    @Test
    void aConfigMapUpdateSwappingTheDataSymlinkIsPickedUp() throws Exception {
        // The layout the kubelet writes: timestamped folders, ..data pointing at one, files linked through ..data.
        Path dir = Files.createTempDirectory("oldguard-configmap");
        Path first = writeVersion(dir, "..2026_11_30_10_00_00.000000001", GRANTS.formatted("GetStock"));
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(dir.resolve("test.yaml"), Path.of("..data", "test.yaml"));
        try (SidecarHarness harness = SidecarHarness.start(s -> s,
                c -> c.withPolicies(dir.toString()).withPolicyWatch(Duration.ofMillis(100)))) {
            Http agent = harness.agent();
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, ITEM_42).status()).isEqualTo(200);

            Path second = writeVersion(dir, "..2026_11_30_10_05_00.000000002", GRANTS.formatted("ListItems"));
            Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            Files.delete(first.resolve("test.yaml"));
            Files.delete(first);

            Await.until(Duration.ofSeconds(5), "the swapped ConfigMap in force",
                    () -> agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, ITEM_42).status() == 403);
            assertThat(harness.admin().get("/admin/policy", ADMIN_TOKEN).json().path("lastReload").path("applied").asBoolean())
                    .isTrue();
        }
    }

    @Test
    void haltedAgentsAndSpentBucketsSurviveAReload() throws Exception {
        String folder = TestPolicies.folderWith(LIMITED.formatted("1/min burst 3"));
        try (SidecarHarness harness = SidecarHarness.start(s -> s,
                c -> c.withPolicies(folder).withPolicyWatch(Duration.ofMillis(100)))) {
            Http agent = harness.agent();
            for (int i = 0; i < 3; i++) {
                assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, ITEM_42).status()).isEqualTo(200);
            }
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, ITEM_42).status()).isEqualTo(429);
            assertThat(harness.admin().postJson("/v1/agents/order-bot/halt", ADMIN_TOKEN, "{\"reason\": \"drill\"}").status())
                    .isEqualTo(200);
            String before = harness.admin().get("/admin/policy", ADMIN_TOKEN).json().path("version").asText();

            Files.writeString(Path.of(folder, "test.yaml"), LIMITED.formatted("1/min burst 10"));

            Await.until(Duration.ofSeconds(5), "the new limit in force",
                    () -> !harness.admin().get("/admin/policy", ADMIN_TOKEN).json().path("version").asText().equals(before));
            assertThat(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, ITEM_42).status())
                    .as("a spent bucket is not refilled by a larger burst").isEqualTo(429);
            assertThat(agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, ITEM_42).status()).isEqualTo(423);
        }
    }

    private static Path writeVersion(Path dir, String name, String yaml) throws Exception {
        Path version = Files.createDirectory(dir.resolve(name));
        Files.writeString(version.resolve("test.yaml"), yaml);
        return version;
    }
}
