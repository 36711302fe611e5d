package io.oldguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.oldguard.config.AuditConfig;
import io.oldguard.testing.Await;
import io.oldguard.testing.LogCapture;
import io.oldguard.testing.SidecarHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** audit.allowed thins out the audit lines of allowed calls only: every refusal keeps its line. */
class AllowedCallAuditIT {

    @Test
    void withNoneAllowedCallsAreCountedButOnlyTheRefusalIsAudited() throws InterruptedException {
        try (SidecarHarness harness = SidecarHarness.start(c -> c.withAudit(new AuditConfig("none", null)), Clock.systemUTC());
                LogCapture audit = new LogCapture("oldguard.audit")) {
            for (int i = 0; i < 3; i++) {
                assertThat(harness.agent().postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN,
                        "{\"ItemID\": 42}").status()).isEqualTo(200);
            }
            assertThat(harness.agent().postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN,
                    "{\"ItemID\": \"the-blue-widget-from-the-promo\"}").status()).isEqualTo(422);

            Await.until(Duration.ofSeconds(5), "the refusal's audit line", () -> !audit.events().isEmpty());
            List<ILoggingEvent> lines = audit.events();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0).getFormattedMessage()).isEqualTo("support-bot GetStock -> invalid_arguments");
            assertThat(harness.admin().get("/metrics", null).body())
                    .contains("oldguard_calls_total{agent=\"support-bot\",outcome=\"ok\",tool=\"GetStock\"} 3.0");
        }
    }

    @Test
    void withAllEveryAllowedCallIsAudited() throws InterruptedException {
        try (SidecarHarness harness = SidecarHarness.start(c -> c.withAudit(new AuditConfig("all", null)), Clock.systemUTC());
                LogCapture audit = new LogCapture("oldguard.audit")) {
            for (int i = 0; i < 3; i++) {
                assertThat(harness.agent().postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN,
                        "{\"ItemID\": 42}").status()).isEqualTo(200);
            }

            Await.until(Duration.ofSeconds(5), "three audit lines", () -> audit.events().size() >= 3);
            assertThat(audit.events()).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("support-bot GetStock -> ok", "support-bot GetStock -> ok", "support-bot GetStock -> ok");
        }
    }
}
