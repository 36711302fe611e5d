package io.oldguard.config;

/**
 * The operators' token for the admin API (list, release and halt agents); from an environment variable or a
 * file, like agent tokens, and as long as theirs at least. Without one, the admin API refuses every request.
 *
 * @param metricsRequireToken {@code /metrics} answers only with the admin token (default: without, as Prometheus
 *                            scrapes it); {@code /healthz} and {@code /readyz} never need it, as probes send none
 */
public record AdminConfig(String tokenEnv, String tokenFile, Boolean metricsRequireToken) {

    public AdminConfig {
        metricsRequireToken = metricsRequireToken != null && metricsRequireToken;
    }

    public static AdminConfig none() {
        return new AdminConfig(null, null, null);
    }

    public boolean configured() {
        return (tokenEnv != null && !tokenEnv.isBlank()) || (tokenFile != null && !tokenFile.isBlank());
    }

    public AdminConfig withMetricsRequireToken(boolean required) {
        return new AdminConfig(tokenEnv, tokenFile, required);
    }
}
