package io.oldguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void findsMetricsButNotFunctionsLabelsStringsOrRanges() {
        assertThat(PromQl.metricNames("sum by (job, instance) (rate(oldguard_calls_total{outcome=~\"backend_busy|x\"}[5m]))"
                + " / sum by (job) (rate(oldguard_calls_total[5m])) > 0.05"))
                .containsExactly("oldguard_calls_total");
    }

    @Test
    void findsEveryOperandOfSetOperatorsAndComparisons() {
        assertThat(PromQl.metricNames("max by (pool) (a_active) >= max by (pool) (a_max) and max(a_pending) > 0"
                + " or up{job=\"oldguard\"} == 0 unless on (instance) b_total offset 5m"))
                .containsExactlyInAnyOrder("a_active", "a_max", "a_pending", "up", "b_total");
    }

    @Test
    void ignoresGrafanaVariables() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket{instance=~\"$instance\"}"
                + "[$__rate_interval])))")).containsExactly("x_seconds_bucket");
    }

    @Test
    void readsTheShippedRulesAndDashboard() throws IOException {
        Set<String> rules = new TreeSet<>();
        PromQl.ruleExpressions().forEach(e -> rules.addAll(PromQl.metricNames(e)));
        Set<String> dashboard = new TreeSet<>();
        PromQl.dashboardExpressions().forEach(e -> dashboard.addAll(PromQl.metricNames(e)));

        assertThat(rules).contains("oldguard_agents_halted", "oldguard_breaker_state", "hikaricp_connections_pending", "up");
        assertThat(dashboard).contains("oldguard_call_overhead_seconds_bucket", "oldguard_backend_rate_limit",
                "oldguard_calls_in_flight");
    }
}
