package io.oldguard.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads {@code sidecar.yaml}: YAML into records, Bean Validation on the model, then the cross-checks no
 * annotation can express (one token source per agent, files that exist, HTTP endpoints).
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    public static SidecarConfig load(Path file) {
        SidecarConfig raw = YamlFiles.read(file, SidecarConfig.class);
        Path baseDir = file.toAbsolutePath().getParent();
        SidecarConfig config = new SidecarConfig(raw.listeners(), raw.requests(), raw.agents(), raw.backends(), raw.databases(),
                raw.policies(), raw.policyWatch(), raw.halts(), raw.admin(), raw.cluster(), raw.capture(),
                raw.approvals(), raw.audit(), baseDir);
        String name = file.toString();
        List<String> problems = new ArrayList<>(YamlFiles.validate(file, config));
        problems.addAll(crossCheck(name, YamlLines.of(file), config));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    static List<String> crossCheck(String file, YamlLines lines, SidecarConfig config) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, AgentConfig> e : config.agents().entrySet()) {
            AgentConfig agent = e.getValue();
            if (agent == null) {
                continue;
            }
            boolean env = agent.tokenEnv() != null && !agent.tokenEnv().isBlank();
            boolean path = agent.tokenFile() != null && !agent.tokenFile().isBlank();
            if (env == path) {
                problems.add(problem(file, lines, "agents." + e.getKey(),
                        "set exactly one of tokenEnv (an environment variable name) or tokenFile (a path)"
                                + (env ? " (got both)" : " (got neither)")));
            }
        }
        for (Map.Entry<String, SoapBackendConfig> e : config.backends().entrySet()) {
            SoapBackendConfig backend = e.getValue();
            if (backend == null) {
                continue;
            }
            String key = "backends." + e.getKey();
            if (backend.wsdl() != null && !Files.isRegularFile(config.resolve(backend.wsdl()))) {
                problems.add(problem(file, lines, key + ".wsdl",
                        "file " + config.resolve(backend.wsdl()) + " does not exist (expected the path of the service's WSDL)"));
            }
            if (backend.endpoint() != null && !isHttp(backend.endpoint().getScheme())) {
                problems.add(problem(file, lines, key + ".endpoint",
                        "expected an http:// or https:// URL (got \"" + backend.endpoint() + "\")"));
            }
            if (backend.endpoint() != null && reservedPath(backend.passthroughPath())) {
                problems.add(problem(file, lines, key + ".endpoint", "its path " + backend.passthroughPath()
                        + " is where the agent port serves MCP or the JSON API (expected a path other than /mcp and /v1/...)"));
            }
            if (backend.endpoint() != null) {
                String path = backend.passthroughPath();
                config.backends().entrySet().stream()
                        .filter(o -> o.getKey().compareTo(e.getKey()) < 0 && o.getValue() != null && o.getValue().endpoint() != null
                                && o.getValue().passthroughPath().equals(path))
                        .forEach(o -> problems.add(problem(file, lines, key + ".endpoint", "its path " + path
                                + " is also backend " + o.getKey() + "'s (expected one SOAP passthrough path per backend)")));
            }
            if (backend.timeout() != null && (backend.timeout().isZero() || backend.timeout().isNegative())) {
                problems.add(problem(file, lines, key + ".timeout", "must be longer than 0ms"));
            }
        }
        config.databases().forEach((name, db) -> {
            String key = "databases." + name;
            if (config.backends().containsKey(name)) {
                problems.add(problem(file, lines, key, "a backend has the same name (expected names unique across backends and databases)"));
            }
            if (db == null) {
                return;
            }
            if (db.url() != null && !db.url().startsWith("jdbc:postgresql:")) {
                problems.add(problem(file, lines, key + ".url", "expected a jdbc:postgresql: URL (got \"" + db.url() + "\")"));
            }
            if (db.passwordEnv() != null && db.passwordFile() != null) {
                problems.add(problem(file, lines, key, "set at most one of passwordEnv or passwordFile (got both)"));
            }
            if (db.connectionTimeout() != null && db.connectionTimeout().toMillis() < 250) {
                problems.add(problem(file, lines, key + ".connectionTimeout", "must be at least 250ms (HikariCP's minimum)"));
            }
        });
        AdminConfig admin = config.admin();
        if (admin.tokenEnv() != null && admin.tokenFile() != null) {
            problems.add(problem(file, lines, "admin", "set one of tokenEnv or tokenFile (got both)"));
        }
        ClusterConfig cluster = config.cluster();
        if (cluster != null && cluster.passwordEnv() != null && cluster.passwordFile() != null) {
            problems.add(problem(file, lines, "cluster", "set at most one of passwordEnv or passwordFile (got both)"));
        }
        if (cluster != null && cluster.timeout() != null && (cluster.timeout().isZero() || cluster.timeout().toSeconds() >= 5)) {
            problems.add(problem(file, lines, "cluster.timeout",
                    "must be longer than 0ms and shorter than 5s (a store operation sits on every call's path)"));
        }
        if (admin.metricsRequireToken() && !admin.configured()) {
            problems.add(problem(file, lines, "admin.metricsRequireToken",
                    "needs the admin token (expected admin.tokenEnv or admin.tokenFile as well)"));
        }
        CaptureConfig capture = config.capture();
        if (capture != null && (capture.keyEnv() == null) == (capture.keyFile() == null)) {
            problems.add(problem(file, lines, "capture", "set exactly one of keyEnv or keyFile (the key sensitive "
                    + "parameters are hashed with)" + (capture.keyEnv() == null ? " (got neither)" : " (got both)")));
        }
        ApprovalsConfig approvals = config.approvals();
        if (approvals.webhook() != null && (!isHttp(approvals.webhook().getScheme()) || approvals.webhook().getHost() == null)) {
            problems.add(problem(file, lines, "approvals.webhook",
                    "expected an http:// or https:// URL (got \"" + approvals.webhook() + "\")"));
        }
        if (approvals.webhookTimeout().isZero() || approvals.webhookTimeout().isNegative()
                || approvals.webhookTimeout().toSeconds() > 30) {
            problems.add(problem(file, lines, "approvals.webhookTimeout", "must be longer than 0ms and at most 30s"));
        }
        if (!Files.isDirectory(config.policiesDir())) {
            problems.add(problem(file, lines, "policies",
                    "directory " + config.policiesDir() + " does not exist (expected the folder of policy files)"));
        }
        return problems;
    }

    private static boolean reservedPath(String path) {
        return path.equals("/mcp") || path.equals("/v1") || path.startsWith("/v1/");
    }

    private static String problem(String file, YamlLines lines, String key, String message) {
        return ConfigException.problem(file, lines.lineOf(key), key, message);
    }

    private static boolean isHttp(String scheme) {
        return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
    }
}
