package io.oldguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * No dangling names: after real traffic (valid calls, an SQL tool, refusals, a halt, an observed violation and
 * a breaker opening) every metric the alert rules and the dashboard query is on a real {@code /metrics}. A renamed
 * metric then fails the build instead of silencing an alert.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricNamesIT {

    /** Prometheus makes {@code up} for every target it scrapes; no exporter publishes it. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static final String POLICY = """
            tools:
              GetStock:
                params:
                  ItemID: { minimum: 1, maximum: 9999999 }
                onViolation: halt
              ListItems:
                params:
                  NameFilter: { maxLength: 5, onViolation: observe }
            agents:
              support-bot: { tools: [GetStock, ListItems, low_stock] }
              order-bot: { tools: [GetStock, ListItems] }
            """;

    private SidecarHarness harness;
    private String scrape;

    @BeforeAll
    void scrapeAfterRealTraffic() throws IOException {
        Path policies = Files.createTempDirectory("oldguard-metric-names");
        Files.writeString(policies.resolve("inventory.yaml"), POLICY);
        Files.copy(Path.of("policies/sql.yaml"), policies.resolve("sql.yaml"));
        harness = SidecarHarness.start(UnaryOperator.identity(), config -> config.withPolicies(policies.toString()));
        Http agent = harness.agent();

        assertThat(agent.postJson("/v1/tools/GetStock", SidecarHarness.SUPPORT_TOKEN, "{\"ItemID\": 42}").status()).isEqualTo(200);
        assertThat(agent.postJson("/v1/tools/low_stock", SidecarHarness.SUPPORT_TOKEN,
                "{\"category\": \"TOOLS\", \"below\": 1000}").status()).isEqualTo(200);
        assertThat(agent.postJson("/v1/tools/ListItems", SidecarHarness.SUPPORT_TOKEN,
                "{\"Category\": \"TOOLS\", \"Page\": 1, \"NameFilter\": \"longer than five\"}").status()).as("observed, let through").isEqualTo(200);
        assertThat(agent.postJson("/v1/tools/ReserveStock", SidecarHarness.SUPPORT_TOKEN, "{}").status()).isEqualTo(403);

        harness.simulator().setServerFaults(true);
        int status = 0;
        for (int i = 0; i < 60 && status != 503; i++) {
            status = agent.postJson("/v1/tools/ListItems", SidecarHarness.ORDER_TOKEN, "{\"Category\": \"TOOLS\", \"Page\": 1}").status();
        }
        assertThat(status).as("the breaker opened").isEqualTo(503);
        harness.simulator().setServerFaults(false);

        assertThat(agent.postJson("/v1/tools/GetStock", SidecarHarness.ORDER_TOKEN, "{\"ItemID\": \"the-blue-widget\"}").status())
                .isEqualTo(422);
        assertThat(agent.postJson("/v1/tools/GetStock", SidecarHarness.ORDER_TOKEN, "{\"ItemID\": 42}").status())
                .as("halted").isEqualTo(423);

        scrape = harness.admin().get("/metrics", null).body();
    }

    @AfterAll
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void trafficIncludedRefusalsAHaltAndAnOpenBreaker() {
        assertThat(scrape).contains("outcome=\"circuit_open\"", "outcome=\"halted\"", "outcome=\"invalid_arguments\"",
                "oldguard_halts_total{reason=\"invalid_arguments\"}", "to=\"open\"");
    }

    @Test
    void everyMetricTheAlertRulesQueryIsPublished() throws IOException {
        assertPublished(PromQl.ruleExpressions());
    }

    @Test
    void everyMetricTheDashboardQueriesIsPublished() throws IOException {
        assertPublished(PromQl.dashboardExpressions());
    }

    private void assertPublished(List<String> expressions) {
        Set<String> used = new TreeSet<>();
        expressions.forEach(e -> used.addAll(PromQl.metricNames(e)));
        used.removeAll(PROMETHEUS_OWN);
        assertThat(used).as("metric names in the queries").isNotEmpty();
        assertThat(published()).as("metric names on /metrics").containsAll(used);
    }

    private Set<String> published() {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
