package io.oldguard.policy;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.audit.Events;
import io.oldguard.catalog.Tool;
import io.oldguard.catalog.ToolCatalog;
import io.oldguard.config.ConfigException;
import io.oldguard.config.Rate;
import io.oldguard.config.YamlFiles;
import io.oldguard.config.YamlLines;
import io.oldguard.sql.SqlToolDefinition;
import io.oldguard.sql.SqlTools;
import io.oldguard.sql.SqlType;
import io.oldguard.sql.SqlVerifier;
import io.oldguard.validation.ContractBuilder;
import io.oldguard.validation.ToolContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads every {@code *.yaml} in the policy folder and merges them into one {@link PolicySet}, in two passes:
 * first every file is read and its SQL tools built (so a grant may name a SQL tool defined in another file),
 * then every tool policy and grant is checked against the full catalogue (every tool exists, every agent is
 * configured, nothing is defined twice, rules only tighten) and the contracts are built. Any problem rejects the
 * whole set, so a broken file never half-applies.
 */
public final class PolicyLoader {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyLoader.class);

    private PolicyLoader() {
    }

    private record Read(Path file, PolicyFile policy, YamlLines lines) {
        /** A problem at the line {@code key} is written on. */
        String problem(String key, String message) {
            return ConfigException.problem(file.toString(), lines.lineOf(key), key, message);
        }
    }


    /**
     * @param retiredAgents agents this reload removes from {@code sidecar.yaml}: grants to them are skipped with a
     *                      warning instead of refusing the set, so removing an agent cuts it off at once even while
     *                      a policy (perhaps another ConfigMap, updated later) still names it. A grant to an agent
     *                      that was never configured is still an error (a typo).
     * @param backendRates  each SOAP backend's shaping rate in {@code sidecar.yaml} (backends without one left out):
     *                      a tool's cost must fit in its burst
     */
    public static PolicySet load(Path dir, ToolCatalog wsdlTools, Set<String> configuredAgents, Set<String> retiredAgents,
            Set<String> databases, Map<String, Rate> backendRates, SqlVerifier verifier) {
        List<String> problems = new ArrayList<>();
        MessageDigest digest = sha256();
        List<Read> files = new ArrayList<>();
        for (Path file : policyFiles(dir)) {
            try {
                digest.update(Files.readAllBytes(file));
                PolicyFile policy = YamlFiles.read(file, PolicyFile.class);
                problems.addAll(YamlFiles.validate(file, policy));
                files.add(new Read(file, policy, YamlLines.of(file)));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            } catch (IOException e) {
                problems.add(ConfigException.problem(file.toString(), "", "cannot be read: " + e.getMessage()));
            }
        }

        Map<String, Path> definedIn = new TreeMap<>();
        Map<String, Map<String, ParamRule>> sqlRules = new TreeMap<>();
        Map<String, SqlToolDefinition> sqlDefinitions = new TreeMap<>();
        List<Tool> sqlTools = new ArrayList<>();
        for (Read read : files) {
            read.policy().sqlTools().forEach((tool, def) -> {
                if (def == null) {
                    problems.add(read.problem("sqlTools." + tool, "empty (expected description, sql, params)"));
                    return;
                }
                if (definedIn.putIfAbsent("sqlTools." + tool, read.file()) != null) {
                    problems.add(read.problem("sqlTools." + tool, "already defined in " + definedIn.get("sqlTools." + tool)));
                    return;
                }
                SqlTools.Built built = SqlTools.build(tool, def, databases, (key, message) -> problems.add(read.problem(key, message)));
                Tool verified = verifier.verify(built.tool(), declaredTypes(def),
                        (key, message) -> problems.add(read.problem(key, message)));
                sqlTools.add(verified);
                sqlRules.put(tool, built.rules());
                sqlDefinitions.put(tool, def);
            });
        }
        Map<Path, Read> byFile = new TreeMap<>();
        files.forEach(read -> byFile.put(read.file(), read));
        ToolCatalog catalog = wsdlTools.with(sqlTools, taken -> problems.add(problem(byFile, definedIn.get("sqlTools." + taken),
                "sqlTools." + taken, "a WSDL operation already has this name")));

        Map<String, ToolPolicy> tools = new TreeMap<>();
        Map<String, AgentPolicy> agents = new TreeMap<>();
        for (Read read : files) {
            collectTools(read, catalog, sqlRules, tools, definedIn, problems);
            collectAgents(read, catalog, configuredAgents, retiredAgents, agents, definedIn, problems);
        }
        problems.addAll(costsWithinBursts(tools, agents, catalog, backendRates, definedIn, byFile));
        Map<String, ToolContract> contracts = new TreeMap<>();
        for (Tool tool : catalog.all()) {
            Path file = definedIn.getOrDefault("tools." + tool.name(), definedIn.get("sqlTools." + tool.name()));
            ToolPolicy policy = tools.getOrDefault(tool.name(), ToolPolicy.defaults());
            if (sqlRules.containsKey(tool.name())) {
                policy = policy.withParams(sqlRules.get(tool.name()));
                if (policy.timeout() == null) {
                    policy = policy.withTimeout(sqlDefinitions.get(tool.name()).timeout());
                }
                tools.put(tool.name(), policy);
            }
            contracts.put(tool.name(), ContractBuilder.build(tool, policy,
                    (key, message) -> problems.add(file == null ? ConfigException.problem(dir.toString(), key, message)
                            : problem(byFile, file, key, message))));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        // The agents sidecar.yaml configures are part of what the version names: adding one is a policy change.
        digest.update(String.join(",", new TreeSet<>(configuredAgents)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String version = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        return new PolicySet(catalog, tools, agents, contracts, version);
    }

    private static void collectTools(Read read, ToolCatalog catalog, Map<String, Map<String, ParamRule>> sqlRules,
            Map<String, ToolPolicy> tools, Map<String, Path> definedIn, List<String> problems) {
        read.policy().tools().forEach((tool, tp) -> {
            String key = "tools." + tool;
            if (!catalog.contains(tool)) {
                problems.add(read.problem(key, "no such tool (expected one of: " + toolNames(catalog) + ")"));
            } else if (definedIn.putIfAbsent(key, read.file()) != null) {
                problems.add(read.problem(key, "already defined in " + definedIn.get(key)));
            } else if (tp != null && tp.timeout() != null && tp.timeout().isZero()) {
                problems.add(read.problem(key + ".timeout", "must be longer than 0ms"));
            } else if (tp != null && !tp.params().isEmpty() && sqlRules.containsKey(tool)) {
                problems.add(read.problem(key + ".params", "a SQL tool's parameter rules belong under sqlTools."
                        + tool + ".params"));
            } else {
                if (tp != null && tp.approval() != null) {
                    tp.approval().check(catalog.find(tool).orElseThrow(), key + ".approval",
                            (at, message) -> problems.add(read.problem(at, message)));
                }
                tools.put(tool, tp == null ? ToolPolicy.defaults() : tp);
            }
        });
    }

    private static void collectAgents(Read read, ToolCatalog catalog, Set<String> configuredAgents,
            Set<String> retiredAgents, Map<String, AgentPolicy> agents, Map<String, Path> definedIn, List<String> problems) {
        read.policy().agents().forEach((agent, ap) -> {
            String key = "agents." + agent;
            if (retiredAgents.contains(agent) && !configuredAgents.contains(agent)) {
                LOG.warn("{}: the grants of agent {} are skipped: it was removed from sidecar.yaml",
                        read.problem(key, "skipped"), agent, kv("event", Events.POLICY_GRANT_SKIPPED), kv("agent", agent));
                return;
            }
            if (!configuredAgents.contains(agent)) {
                problems.add(read.problem(key, "no such agent in sidecar.yaml (expected one of: "
                        + String.join(", ", new TreeSet<>(configuredAgents)) + ")"));
                return;
            }
            if (definedIn.putIfAbsent(key, read.file()) != null) {
                problems.add(read.problem(key, "already defined in " + definedIn.get(key)));
                return;
            }
            if (ap == null || ap.tools() == null) {
                problems.add(read.problem(key + ".tools", "missing (expected a list of tool names)"));
                return;
            }
            for (int i = 0; i < ap.tools().size(); i++) {
                String tool = ap.tools().get(i);
                if (!catalog.contains(tool)) {
                    problems.add(read.problem(key + ".tools[" + i + "]", "no such tool \"" + tool
                            + "\" (expected one of: " + toolNames(catalog) + ")"));
                }
            }
            agents.put(agent, ap);
        });
    }

    private static Map<String, SqlType> declaredTypes(SqlToolDefinition def) {
        Map<String, SqlType> types = new LinkedHashMap<>();
        def.params().forEach((name, p) -> {
            if (p != null) {
                types.put(name, p.type());
            }
        });
        return types;
    }

    /** A call whose cost exceeds a bucket's capacity could never pass: refuse the policy instead. */
    private static List<String> costsWithinBursts(Map<String, ToolPolicy> tools, Map<String, AgentPolicy> agents,
            ToolCatalog catalog, Map<String, Rate> backendRates, Map<String, Path> definedIn, Map<Path, Read> byFile) {
        List<String> problems = new ArrayList<>();
        tools.forEach((tool, tp) -> {
            String backend = catalog.find(tool).map(Tool::backend).orElse(null);
            Rate backendRate = backend == null ? null : backendRates.get(backend);
            // The backend's shaper would refuse every call of the tool as "more than maxWait away", for ever.
            if (backendRate != null && tp.cost() > backendRate.burst()) {
                problems.add(problem(byFile, definedIn.get("tools." + tool), "tools." + tool + ".cost",
                        "cost " + tp.cost() + " exceeds the burst " + backendRate.burst() + " of backends." + backend
                                + ".limits.rate in sidecar.yaml, so no call could pass (expected cost <= "
                                + backendRate.burst() + ")"));
            }
            if (tp.limits() != null && tp.limits().perAgent() != null && tp.cost() > tp.limits().perAgent().burst()) {
                problems.add(problem(byFile, definedIn.get("tools." + tool), "tools." + tool + ".cost",
                        "cost " + tp.cost() + " exceeds the burst " + tp.limits().perAgent().burst()
                                + " of limits.perAgent, so no call could pass (expected cost <= burst)"));
            }
        });
        agents.forEach((agent, ap) -> {
            if (ap.limits() == null || ap.limits().rate() == null) {
                return;
            }
            for (String tool : ap.tools()) {
                ToolPolicy tp = tools.get(tool);
                if (tp != null && tp.cost() > ap.limits().rate().burst()) {
                    problems.add(problem(byFile, definedIn.get("agents." + agent),
                            "agents." + agent + ".limits.rate", "burst " + ap.limits().rate().burst() + " is below the cost "
                                    + tp.cost() + " of " + tool + ", so the agent could never call it (expected burst >= cost)"));
                }
            }
        });
        return problems;
    }

    private static String problem(Map<Path, Read> byFile, Path file, String key, String message) {
        Read read = byFile.get(file);
        return read == null ? ConfigException.problem(String.valueOf(file), key, message) : read.problem(key, message);
    }

    private static String toolNames(ToolCatalog catalog) {
        return String.join(", ", catalog.all().stream().map(Tool::name).toList());
    }

    private static List<Path> policyFiles(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> {
                String f = p.getFileName().toString();
                return Files.isRegularFile(p) && (f.endsWith(".yaml") || f.endsWith(".yml"));
            }).sorted().toList();
        } catch (IOException e) {
            throw ConfigException.of(dir.toString(), "", "cannot list the policy folder: " + e.getMessage());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
