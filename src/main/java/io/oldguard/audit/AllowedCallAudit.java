package io.oldguard.audit;

import io.oldguard.config.AuditConfig;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which allowed calls get an audit line ({@code audit.allowed} in {@code sidecar.yaml}). Refusals never
 * ask: they are always written. A sample is taken by count, not by chance, so a rate of 0.01 writes exactly
 * every 100th allowed call and a quiet agent's calls are as likely to be seen as a busy one's share.
 */
public final class AllowedCallAudit {

    private final String mode;
    private final double rate;
    private final AtomicLong allowed = new AtomicLong();

    private AllowedCallAudit(String mode, double rate) {
        this.mode = mode;
        this.rate = rate;
    }

    public static AllowedCallAudit of(AuditConfig config) {
        return new AllowedCallAudit(config.allowed(), config.sampleRate());
    }

    /** Whether this allowed call is written; called once per allowed call. */
    public boolean writes() {
        return switch (mode) {
            case "all" -> true;
            case "none" -> false;
            default -> {
                // The n-th call is written when n × rate crosses a whole number: the first, then every 1/rate-th.
                long n = allowed.getAndIncrement();
                yield n == 0 || (long) (n * rate) != (long) ((n - 1) * rate);
            }
        };
    }
}
