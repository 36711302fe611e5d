package io.oldguard.identity;

import io.oldguard.call.Caller;
import java.util.function.Supplier;

/**
 * Finds the agent behind a bearer token in the {@link Identities} in force. Every transport asks it on every
 * request, so an agent removed from {@code sidecar.yaml} is refused from the reload on, with no cached answer.
 */
public final class AgentDirectory {

    private final Supplier<Identities> current;

    public AgentDirectory(Supplier<Identities> current) {
        this.current = current;
    }

    public Caller identify(String bearerToken) {
        return current.get().identify(bearerToken);
    }
}
