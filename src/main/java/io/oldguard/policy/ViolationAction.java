package io.oldguard.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a violated rule does. Ordered by severity: when several rules of one call are violated, the most
 * severe action wins.
 */
public enum ViolationAction {
    /** Log and count as "would have refused", let the call through: for rolling out a new rule safely. */
    OBSERVE,
    /** Refuse the call, log at WARN, do not halt the agent. */
    REJECT,
    /** Refuse the call, log a CRITICAL event and halt the agent (the default). */
    HALT;

    @JsonCreator
    public static ViolationAction parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected halt, reject or observe (got \"" + text + "\")");
        }
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public ViolationAction mostSevere(ViolationAction other) {
        return other == null || compareTo(other) >= 0 ? this : other;
    }
}
