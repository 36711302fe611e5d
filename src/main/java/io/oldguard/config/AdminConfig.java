package io.oldguard.config;

/**
 * The operators' token for the admin API (list, release and halt agents); from an environment variable or a
 * file, like agent tokens. Without one, the admin API refuses every request.
 */
public record AdminConfig(String tokenEnv, String tokenFile) {

    public static AdminConfig none() {
        return new AdminConfig(null, null);
    }

    public boolean configured() {
        return (tokenEnv != null && !tokenEnv.isBlank()) || (tokenFile != null && !tokenFile.isBlank());
    }
}
