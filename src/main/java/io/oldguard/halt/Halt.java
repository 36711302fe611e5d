package io.oldguard.halt;

import io.oldguard.validation.Violation;
import java.time.Instant;
import java.util.List;

/**
 * An agent stopped from calling anything, and why.
 *
 * @param reason     {@code invalid_arguments}, {@code error_streak} or {@code manual}
 * @param detail     one sentence for the agent and the operator
 * @param until      when the halt lifts by itself (a policy's cool-off); null: only an operator releases it
 * @param tool       the tool of the call that triggered it (null for manual halts)
 * @param requestId  the request id of that call (null for manual halts)
 * @param violations the violations of that call (empty unless {@code invalid_arguments})
 * @param sidecar    the sidecar that decided it (in fleet mode, which of the fleet); null until a registry records it
 */
public record Halt(String agent, String reason, String detail, Instant since, Instant until, String tool,
        String requestId, List<Violation> violations, String policyVersion, String sidecar) {

    public static final String INVALID_ARGUMENTS = "invalid_arguments";
    public static final String ERROR_STREAK = "error_streak";
    public static final String MANUAL = "manual";

    public Halt {
        violations = violations == null ? List.of() : List.copyOf(violations);
    }

    /** A halt not yet recorded by a registry, which names the sidecar that decided it. */
    public Halt(String agent, String reason, String detail, Instant since, Instant until, String tool,
            String requestId, List<Violation> violations, String policyVersion) {
        this(agent, reason, detail, since, until, tool, requestId, violations, policyVersion, null);
    }

    /** The same decision, whichever sidecar a registry recorded as its maker. */
    public boolean sameDecisionAs(Halt other) {
        return other != null && withSidecar(null).equals(other.withSidecar(null));
    }

    Halt decidedBy(String sidecarId) {
        return sidecar != null ? this : withSidecar(sidecarId);
    }

    private Halt withSidecar(String sidecarId) {
        return new Halt(agent, reason, detail, since, until, tool, requestId, violations, policyVersion, sidecarId);
    }

    public boolean expired(Instant now) {
        return until != null && !now.isBefore(until);
    }
}
