package io.oldguard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names that the shipped alert rules and dashboard query, read from their PromQL. */
final class PromQl {

    static final Path RULES = Path.of("deploy/prometheus/oldguard-rules.yml");
    static final Path RULE_TESTS = Path.of("deploy/prometheus/oldguard-rules.test.yml");
    static final Path DASHBOARD = Path.of("deploy/grafana/oldguard-dashboard.json");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** Not right after a digit (the unit of {@code 5m}), a dot or a {@code $} (Grafana's variables). */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    private PromQl() {
    }

    /** Every name an expression selects series by: identifiers that are not functions, keywords or labels. */
    static Set<String> metricNames(String expr) {
        String bare = STRING.matcher(expr).replaceAll("\"\"")
                .replaceAll("\\{[^}]*}", " ")        // label matchers
                .replaceAll("\\[[^]]*]", " ");       // range and subquery selectors
        bare = LABEL_LIST.matcher(bare).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            if (m.group(1) == null && !KEYWORDS.contains(m.group().toLowerCase())) {
                names.add(m.group());
            }
        }
        return names;
    }

    static List<String> ruleExpressions() throws IOException {
        List<String> exprs = new ArrayList<>();
        for (JsonNode rule : alertRules()) {
            exprs.add(rule.path("expr").asText());
        }
        return exprs;
    }

    static List<JsonNode> alertRules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile()).path("groups")
                .forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    /** The dashboard's panel queries and the metrics its template variables list values of. */
    static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(variable.path("definition").asText());
            if (m.find()) {
                exprs.add(m.group(1));
            }
        }
        return exprs;
    }
}
