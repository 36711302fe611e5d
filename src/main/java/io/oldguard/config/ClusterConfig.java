package io.oldguard.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;

/**
 * Fleet mode ({@code cluster:} in {@code sidecar.yaml}): every sidecar pointing at the same Redis shares agent
 * and tool limits, each backend's leaky bucket and in-flight cap, halts and error streaks. Absent, each sidecar
 * keeps its own (the embedded default).
 *
 * @param redis        {@code redis://host:port[/db]}, or {@code rediss://} for TLS; no password in it
 * @param passwordEnv  environment variable holding the Redis password (AUTH), or
 * @param passwordFile a file holding it (a mounted Secret)
 * @param id           this sidecar's name in the fleet (who halted an agent); default: the HOSTNAME (pod name)
 * @param keyPrefix    prefix of every Redis key, so several fleets can share one Redis
 * @param timeout      longest any one store operation may take; past it the call goes on under the fallback
 * @param retryAfter   how long the store is left alone after a failure before it is tried again
 * @param sync         how often halts are exchanged with the fleet
 * @param fallback     while Redis is away: {@code local} (limits scaled to {@code localShare}) or {@code refuse} (503)
 * @param localShare   the share of each fleet limit one sidecar applies on its own while Redis is away
 */
public record ClusterConfig(
        @NotNull @Pattern(regexp = "rediss?://[^@/\\s]+(/\\d{1,2})?", message = "expected redis://host:port or rediss://host:port (no password in the URL: use passwordEnv or passwordFile)") String redis,
        String passwordEnv,
        String passwordFile,
        String id,
        @NotNull @Pattern(regexp = "[A-Za-z0-9:_-]{1,40}", message = "expected 1 to 40 letters, digits, ':', '_' or '-'") String keyPrefix,
        @NotNull Duration timeout,
        @NotNull Duration retryAfter,
        @NotNull Duration sync,
        @NotNull @Pattern(regexp = "local|refuse", message = "expected local or refuse") String fallback,
        @NotNull @DecimalMin(value = "0.01", message = "must be at least 0.01") @DecimalMax(value = "1.0", message = "must be at most 1.0") Double localShare) {

    public ClusterConfig {
        keyPrefix = keyPrefix == null ? "oldguard" : keyPrefix;
        timeout = timeout == null ? Duration.ofMillis(100) : timeout;
        retryAfter = retryAfter == null ? Duration.ofSeconds(1) : retryAfter;
        sync = sync == null ? Duration.ofMillis(250) : sync;
        fallback = fallback == null ? "local" : fallback;
        localShare = localShare == null ? Double.valueOf(0.25) : localShare;
    }

    public boolean refuseWhenAway() {
        return "refuse".equals(fallback);
    }
}
