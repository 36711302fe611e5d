package io.oldguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.identity.Identities;
import io.oldguard.testing.MutableClock;
import io.oldguard.testing.SidecarHarness;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** How a reload holds the store while it reads from disk. */
class PolicyStoreTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));

    /**
     * A reload may wait for the database (SQL tools are checked against it). On Java 21 a virtual thread that waits
     * while it holds a monitor pins its carrier thread, one of as few as there are cores, for all that time.
     */
    @Test
    void aReloadHoldsNoMonitorOfOldguardWhileItLoads() {
        Identities identities = Identities.resolve(SETUP.config(), "sidecar.yaml", SidecarHarness.tokens());
        AtomicReference<List<String>> heldWhileLoading = new AtomicReference<>();
        PolicyStore store = new PolicyStore(SETUP.policies(), identities, () -> {
            MonitorInfo[] held = ManagementFactory.getThreadMXBean()
                    .getThreadInfo(new long[] {Thread.currentThread().threadId()}, true, false)[0].getLockedMonitors();
            heldWhileLoading.set(Arrays.stream(held).map(MonitorInfo::getClassName)
                    .filter(name -> name.startsWith("io.oldguard.")).toList());
            return new PolicyStore.Loaded(SETUP.policies(), identities, Map.of(), List.of());
        }, new MutableClock(Instant.parse("2026-12-03T10:00:00Z")), new SimpleMeterRegistry());

        assertThat(store.reload().applied()).isTrue();

        assertThat(heldWhileLoading.get()).as("monitors held by the reloading thread").isEmpty();
    }
}
