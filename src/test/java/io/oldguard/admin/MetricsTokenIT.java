package io.oldguard.admin;

import static io.oldguard.testing.SidecarHarness.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import org.junit.jupiter.api.Test;

/** {@code admin.metricsRequireToken: true} puts {@code /metrics} behind the admin token; probes still need none. */
class MetricsTokenIT {

    @Test
    void metricsNeedTheAdminTokenWhenConfiguredAndProbesStillDoNot() {
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> c.withAdmin(c.admin().withMetricsRequireToken(true)))) {
            Http admin = harness.admin();

            Http.Reply anonymous = admin.get("/metrics", null);
            Http.Reply wrong = admin.get("/metrics", "not-the-admin-token-at-all");
            Http.Reply withToken = admin.get("/metrics", ADMIN_TOKEN);

            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(withToken.status()).isEqualTo(200);
            assertThat(withToken.body()).contains("oldguard_calls_in_flight");
            assertThat(admin.get("/healthz", null).status()).isEqualTo(200);
            assertThat(admin.get("/readyz", null).status()).isEqualTo(200);
        }
    }
}
