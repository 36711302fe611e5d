package io.oldguard.identity;

import io.oldguard.config.AgentConfig;
import io.oldguard.config.ConfigException;
import io.oldguard.config.SidecarConfig;
import io.oldguard.call.Caller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configured agents, found by the SHA-256 of their bearer token. Tokens are read once at start-up from
 * the environment or a file and never kept: only the hashes are, so a heap dump does not leak them.
 */
public final class AgentDirectory {

    private static final int MIN_TOKEN_LENGTH = 16;

    private final Map<String, String> agentByTokenHash;

    private AgentDirectory(Map<String, String> agentByTokenHash) {
        this.agentByTokenHash = Map.copyOf(agentByTokenHash);
    }

    /**
     * @param env where {@code tokenEnv} names are looked up (the process environment in production)
     */
    public static AgentDirectory resolve(SidecarConfig config, String configFile, Map<String, String> env) {
        Map<String, String> byHash = new HashMap<>();
        List<String> problems = new ArrayList<>();
        config.agents().forEach((id, agent) -> {
            String key = "agents." + id;
            String token;
            try {
                token = readToken(config, agent, env);
            } catch (IllegalArgumentException e) {
                problems.add(ConfigException.problem(configFile, key, e.getMessage()));
                return;
            }
            if (token.length() < MIN_TOKEN_LENGTH) {
                problems.add(ConfigException.problem(configFile, key, "token is " + token.length()
                        + " characters long (expected at least " + MIN_TOKEN_LENGTH + ")"));
                return;
            }
            String previous = byHash.putIfAbsent(hash(token), id);
            if (previous != null) {
                problems.add(ConfigException.problem(configFile, key, "has the same token as agent " + previous
                        + " (expected one token per agent)"));
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new AgentDirectory(byHash);
    }

    public Caller identify(String bearerToken) {
        if (bearerToken == null || bearerToken.isEmpty()) {
            return new Caller.Anonymous(true);
        }
        String agent = agentByTokenHash.get(hash(bearerToken));
        return agent == null ? new Caller.Anonymous(false) : new Caller.Agent(agent);
    }

    public Set<String> agents() {
        return Set.copyOf(agentByTokenHash.values());
    }

    private static String readToken(SidecarConfig config, AgentConfig agent, Map<String, String> env) {
        if (agent.tokenEnv() != null && !agent.tokenEnv().isBlank()) {
            String value = env.get(agent.tokenEnv());
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("environment variable " + agent.tokenEnv()
                        + " named by tokenEnv is not set (expected the agent's bearer token)");
            }
            return value.strip();
        }
        Path file = config.resolve(agent.tokenFile());
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("tokenFile " + file + " cannot be read (expected a file holding the agent's bearer token)");
        }
    }

    static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
