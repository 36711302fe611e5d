package io.oldguard.identity;

import io.oldguard.call.Caller;
import io.oldguard.config.ConfigException;
import io.oldguard.config.YamlLines;
import io.oldguard.config.Secrets;
import io.oldguard.config.SidecarConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is who: the configured agents by the SHA-256 of their bearer token. Tokens are read from the environment
 * or a file and never kept, only their hashes, so a heap dump does not leak them. Immutable: a reload of
 * {@code sidecar.yaml} resolves a new one and swaps it in with the policy set.
 */
public record Identities(Map<String, String> agentByTokenHash) {

    private static final int MIN_TOKEN_LENGTH = Secrets.MIN_TOKEN_LENGTH;

    public Identities {
        agentByTokenHash = Map.copyOf(agentByTokenHash);
    }

    /** The ids of the agents that have a token. */
    public java.util.Set<String> agents() {
        return java.util.Set.copyOf(agentByTokenHash.values());
    }

    /**
     * @param env where {@code tokenEnv} names are looked up (the process environment in production)
     */
    public static Identities resolve(SidecarConfig config, String configFile, Map<String, String> env) {
        Map<String, String> byHash = new HashMap<>();
        List<String> problems = new ArrayList<>();
        // Problems name the line of the agent's entry; a configuration built in code has no file, so no lines.
        java.nio.file.Path file = java.nio.file.Path.of(configFile);
        YamlLines lines = java.nio.file.Files.isRegularFile(file) ? YamlLines.of(file) : null;
        java.util.function.ToIntFunction<String> lineOf = key -> lines == null ? 0 : lines.lineOf(key);
        config.agents().forEach((id, agent) -> {
            String key = "agents." + id;
            String token;
            try {
                token = Secrets.read(config, agent.tokenEnv(), agent.tokenFile(), env, "the agent's bearer token");
            } catch (IllegalArgumentException e) {
                problems.add(ConfigException.problem(configFile, lineOf.applyAsInt(key), key, e.getMessage()));
                return;
            }
            if (token.length() < MIN_TOKEN_LENGTH) {
                problems.add(ConfigException.problem(configFile, lineOf.applyAsInt(key), key, "token is " + token.length()
                        + " characters long (expected at least " + MIN_TOKEN_LENGTH + ")"));
                return;
            }
            String previous = byHash.putIfAbsent(Secrets.sha256(token), id);
            if (previous != null) {
                problems.add(ConfigException.problem(configFile, lineOf.applyAsInt(key), key, "has the same token as agent " + previous
                        + " (expected one token per agent)"));
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Identities(byHash);
    }

    public Caller identify(String bearerToken) {
        if (bearerToken == null || bearerToken.isEmpty()) {
            return new Caller.Anonymous(true);
        }
        String agent = agentByTokenHash.get(Secrets.sha256(bearerToken));
        return agent == null ? new Caller.Anonymous(false) : new Caller.Agent(agent);
    }
}
