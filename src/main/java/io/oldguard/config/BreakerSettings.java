package io.oldguard.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * The circuit breaker of one backend: it opens when, over the last {@code window} calls (at least
 * {@code minimumCalls}), the share of failures or of slow calls crosses its threshold; it stays open
 * {@code openFor}, then lets {@code probes} calls through to decide whether to close.
 *
 * @param failureRate  percent of failed calls that opens it (default 10, as the incident's remediation asked)
 * @param slowCall     a call slower than this counts as slow
 * @param slowCallRate percent of slow calls that opens it
 */
public record BreakerSettings(
        @NotNull @DecimalMin("1") @DecimalMax("100") Float failureRate,
        @NotNull Duration slowCall,
        @NotNull @DecimalMin("1") @DecimalMax("100") Float slowCallRate,
        @NotNull @Min(2) @Max(10_000) Integer window,
        @NotNull @Min(1) @Max(10_000) Integer minimumCalls,
        @NotNull Duration openFor,
        @NotNull @Min(1) @Max(100) Integer probes) {

    public BreakerSettings {
        failureRate = failureRate == null ? Float.valueOf(10) : failureRate;
        slowCall = slowCall == null ? Duration.ofSeconds(3) : slowCall;
        slowCallRate = slowCallRate == null ? Float.valueOf(50) : slowCallRate;
        window = window == null ? Integer.valueOf(50) : window;
        minimumCalls = minimumCalls == null ? Integer.valueOf(20) : minimumCalls;
        openFor = openFor == null ? Duration.ofSeconds(10) : openFor;
        probes = probes == null ? Integer.valueOf(3) : probes;
    }

    public static BreakerSettings defaults() {
        return new BreakerSettings(null, null, null, null, null, null, null);
    }
}
