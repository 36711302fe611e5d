package io.oldguard.approval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;

/**
 * One call waiting for, or granted, a human's decision: bound to its agent, tool and canonical arguments by
 * {@code argumentsHash}. Immutable: every decision makes a new one.
 *
 * @param arguments   what the agent sent, sensitive parameters redacted: what the operator approves
 * @param expiresAt   a pending request's deadline for a decision; an approval's for its call; a denial's end
 * @param requestId   the request id of the call that asked
 * @param decidedBy   who approved or denied it (an operator's name, or "operator"); null while pending
 * @param usedBy      the request id of the call an approval let through; null until used
 */
public record Approval(String id, String agent, String tool, String argumentsHash, ObjectNode arguments, State state,
        Instant requestedAt, Instant expiresAt, Duration ttl, String requestId, String policyVersion, String decidedBy,
        Instant decidedAt, String reason, String usedBy) {

    public enum State {
        @JsonProperty("pending") PENDING,
        @JsonProperty("approved") APPROVED,
        @JsonProperty("denied") DENIED,
        @JsonProperty("expired") EXPIRED
    }

    static Approval requested(String id, String agent, String tool, String argumentsHash, ObjectNode arguments,
            Instant now, Duration ttl, String requestId, String policyVersion) {
        return new Approval(id, agent, tool, argumentsHash, arguments, State.PENDING, now, now.plus(ttl), ttl, requestId,
                policyVersion, null, null, null, null);
    }

    /** Approved or denied now; either stands for a full ttl from the decision. */
    Approval decided(State decision, String by, String why, Instant now) {
        return new Approval(id, agent, tool, argumentsHash, arguments, decision, requestedAt, now.plus(ttl), ttl, requestId,
                policyVersion, by, now, why, usedBy);
    }

    Approval expired() {
        return new Approval(id, agent, tool, argumentsHash, arguments, State.EXPIRED, requestedAt, expiresAt, ttl,
                requestId, policyVersion, decidedBy, decidedAt, reason, usedBy);
    }

    Approval usedBy(String callRequestId) {
        return new Approval(id, agent, tool, argumentsHash, arguments, state, requestedAt, expiresAt, ttl, requestId,
                policyVersion, decidedBy, decidedAt, reason, callRequestId);
    }

    boolean overdue(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
