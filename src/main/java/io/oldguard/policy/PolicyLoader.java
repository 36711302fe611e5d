package io.oldguard.policy;

import io.oldguard.catalog.Tool;
import io.oldguard.catalog.ToolCatalog;
import io.oldguard.config.ConfigException;
import io.oldguard.config.YamlFiles;
import io.oldguard.validation.ContractBuilder;
import io.oldguard.validation.ToolContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads every {@code *.yaml} in the policy folder, checks each against the model and the catalogue (every tool
 * exists, every agent is configured, nothing is defined twice) and merges them into one {@link PolicySet}.
 * Any problem rejects the whole set, so a broken file never half-applies.
 */
public final class PolicyLoader {

    private PolicyLoader() {
    }

    public static PolicySet load(Path dir, ToolCatalog catalog, Set<String> configuredAgents) {
        List<Path> files = policyFiles(dir);
        Map<String, ToolPolicy> tools = new TreeMap<>();
        Map<String, AgentPolicy> agents = new TreeMap<>();
        Map<String, Path> definedIn = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        MessageDigest digest = sha256();
        for (Path file : files) {
            String name = file.toString();
            PolicyFile policy;
            try {
                digest.update(Files.readAllBytes(file));
                policy = YamlFiles.read(file, PolicyFile.class);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                continue;
            } catch (IOException e) {
                problems.add(ConfigException.problem(name, "", "cannot be read: " + e.getMessage()));
                continue;
            }
            problems.addAll(YamlFiles.validate(name, policy));
            policy.tools().forEach((tool, tp) -> {
                String key = "tools." + tool;
                if (!catalog.contains(tool)) {
                    problems.add(ConfigException.problem(name, key, "no such tool (expected one of: "
                            + toolNames(catalog) + ")"));
                } else if (definedIn.putIfAbsent(key, file) != null) {
                    problems.add(ConfigException.problem(name, key, "already defined in " + definedIn.get(key)));
                } else if (tp != null && tp.timeout() != null && tp.timeout().isZero()) {
                    problems.add(ConfigException.problem(name, key + ".timeout", "must be longer than 0ms"));
                } else {
                    tools.put(tool, tp == null ? ToolPolicy.defaults() : tp);
                }
            });
            policy.agents().forEach((agent, ap) -> {
                String key = "agents." + agent;
                if (!configuredAgents.contains(agent)) {
                    problems.add(ConfigException.problem(name, key, "no such agent in sidecar.yaml (expected one of: "
                            + String.join(", ", new TreeSet<>(configuredAgents)) + ")"));
                    return;
                }
                if (definedIn.putIfAbsent(key, file) != null) {
                    problems.add(ConfigException.problem(name, key, "already defined in " + definedIn.get(key)));
                    return;
                }
                if (ap == null || ap.tools() == null) {
                    problems.add(ConfigException.problem(name, key + ".tools", "missing (expected a list of tool names)"));
                    return;
                }
                for (int i = 0; i < ap.tools().size(); i++) {
                    String tool = ap.tools().get(i);
                    if (!catalog.contains(tool)) {
                        problems.add(ConfigException.problem(name, key + ".tools[" + i + "]", "no such tool \"" + tool
                                + "\" (expected one of: " + toolNames(catalog) + ")"));
                    }
                }
                agents.put(agent, ap);
            });
        }
        problems.addAll(costsWithinBursts(tools, agents, definedIn));
        Map<String, ToolContract> contracts = new TreeMap<>();
        for (Tool tool : catalog.all()) {
            Path file = definedIn.get("tools." + tool.name());
            String name = file == null ? dir.toString() : file.toString();
            contracts.put(tool.name(), ContractBuilder.build(tool, tools.getOrDefault(tool.name(), ToolPolicy.defaults()),
                    (key, message) -> problems.add(ConfigException.problem(name, key, message))));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        String version = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        return new PolicySet(tools, agents, contracts, version);
    }

    /** A call whose cost exceeds a bucket's capacity could never pass: refuse the policy instead. */
    private static List<String> costsWithinBursts(Map<String, ToolPolicy> tools, Map<String, AgentPolicy> agents,
            Map<String, Path> definedIn) {
        List<String> problems = new ArrayList<>();
        tools.forEach((tool, tp) -> {
            if (tp.limits() != null && tp.limits().perAgent() != null && tp.cost() > tp.limits().perAgent().burst()) {
                problems.add(ConfigException.problem(String.valueOf(definedIn.get("tools." + tool)), "tools." + tool + ".cost",
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
                    problems.add(ConfigException.problem(String.valueOf(definedIn.get("agents." + agent)),
                            "agents." + agent + ".limits.rate", "burst " + ap.limits().rate().burst() + " is below the cost "
                                    + tp.cost() + " of " + tool + ", so the agent could never call it (expected burst >= cost)"));
                }
            }
        });
        return problems;
    }

    private static String toolNames(ToolCatalog catalog) {
        return String.join(", ", catalog.all().stream().map(t -> t.name()).toList());
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
