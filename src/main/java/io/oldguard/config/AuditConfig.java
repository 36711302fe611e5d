package io.oldguard.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * Which allowed calls get an audit line ({@code audit:} in {@code sidecar.yaml}). Refusals, halts and approval
 * decisions are always written; this only thins out the lines of calls that were let through and answered,
 * which {@code oldguard_calls_total} counts anyway. An audit line is about 375 bytes: at 1,000 calls/s, writing
 * every one is about 30 GB a day per pod.
 *
 * @param allowed    {@code all}: a line for every allowed call; {@code sample}: for a share of them
 *                   ({@code sampleRate}); {@code none}: none beyond the metrics
 * @param sampleRate with {@code sample}, the share of allowed calls written: 0.01 is every 100th
 */
public record AuditConfig(
        @NotNull @Pattern(regexp = "all|sample|none", message = "expected all, sample or none") String allowed,
        @NotNull @DecimalMin(value = "0.0001", message = "must be at least 0.0001")
        @DecimalMax(value = "1.0", message = "must be at most 1.0") Double sampleRate) {

    public AuditConfig {
        allowed = allowed == null ? "sample" : allowed;
        sampleRate = sampleRate == null ? Double.valueOf(0.01) : sampleRate;
    }

    /** Every 100th allowed call, and every refusal. */
    public static AuditConfig defaults() {
        return new AuditConfig(null, null);
    }
}
