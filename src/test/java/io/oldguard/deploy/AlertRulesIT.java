package io.oldguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus alert rules pass {@code promtool check rules} and their unit tests ({@code promtool test rules}),
 * which hold, for every alert, a case where it fires and one where it stays quiet; every runbook is a README
 * section. promtool comes with Debian's {@code prometheus} package, which scripts/test.sh installs when missing.
 */
class AlertRulesIT {

    @Test
    void rulesPassPromtoolCheck() throws Exception {
        assertThat(promtool("check", "rules", PromQl.RULES.toString())).contains("SUCCESS");
    }

    @Test
    void rulesPassTheirPromtoolUnitTests() throws Exception {
        assertThat(promtool("test", "rules", PromQl.RULE_TESTS.toString())).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAFiringAndAQuietCase() throws IOException {
        JsonNode tests = new ObjectMapper(new YAMLFactory()).readTree(PromQl.RULE_TESTS.toFile()).path("tests");
        Set<String> fires = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : tests) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? quiet : fires).add(check.path("alertname").asText());
            }
        }
        List<String> alerts = PromQl.alertRules().stream().map(r -> r.path("alert").asText()).toList();
        assertThat(alerts).hasSize(9);
        assertThat(fires).as("alerts with a firing case").containsAll(alerts);
        assertThat(quiet).as("alerts with a quiet case").containsAll(alerts);
    }

    @Test
    void everyAlertHasASummaryADescriptionAndARunbookSectionInTheReadme() throws IOException {
        Set<String> anchors = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (line.startsWith("#")) {
                // GitHub's anchors: lower case, punctuation dropped, spaces as hyphens
                anchors.add(line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        for (JsonNode rule : PromQl.alertRules()) {
            JsonNode annotations = rule.path("annotations");
            assertThat(annotations.path("summary").asText()).as(rule.path("alert").asText()).isNotBlank();
            assertThat(annotations.path("description").asText()).as(rule.path("alert").asText()).isNotBlank();
            String runbook = annotations.path("runbook_url").asText();
            assertThat(runbook).as(rule.path("alert").asText()).startsWith("README.md#");
            assertThat(anchors).as("README section for " + runbook).contains(runbook.substring("README.md#".length()));
        }
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(concat("promtool", args)).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("promtool is missing: scripts/test.sh installs it (apt-get install prometheus)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
