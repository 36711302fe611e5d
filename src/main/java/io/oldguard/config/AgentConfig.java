package io.oldguard.config;

/**
 * One agent: where its bearer token comes from. Exactly one of the two is set (checked by {@link ConfigLoader});
 * the token itself is read at start-up and kept only as a hash.
 *
 * @param tokenEnv  name of an environment variable holding the token
 * @param tokenFile path of a file holding the token (a mounted Kubernetes secret)
 */
public record AgentConfig(String tokenEnv, String tokenFile) {
}
