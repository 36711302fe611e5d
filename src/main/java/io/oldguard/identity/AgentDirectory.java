package io.oldguard.identity;

import io.oldguard.call.Caller;
import java.util.function.Supplier;

/**
 * Finds the agent behind a bearer token in the {@link Identities} in force. Every transport asks it on every
 * request, so an agent removed from {@code sidecar.yaml} is refused from the reload on.
 */
public final class AgentDirectory {

    private final Supplier<Identities> current;

    public AgentDirectory(Supplier<Identities> current) {
        this.current = current;
    }

    public Caller identify(String bearerToken) {
        return current.get().identify(bearerToken);
    }

    /**
     * A connection's own memory of its last answer: an agent sends the same token on every request of a kept-alive
     * connection, and hashing it again cost about 1 % of a call's CPU at saturation (BENCHMARKS.md, 2026-12-06). The
     * answer is reused only for the same token under the same {@link Identities}, so a reload that removes or
     * changes an agent takes effect on the next request, as without it. One per connection, on its event loop.
     */
    public Memo memo() {
        return new Memo();
    }

    /** See {@link #memo()}. Not thread-safe: one connection's requests, one at a time. */
    public final class Memo {

        private Identities identities;
        private String token;
        private Caller caller;

        private Memo() {
        }

        public Caller identify(String bearerToken) {
            Identities now = current.get();
            // Compared only with the token this same connection sent before, which its client already knows.
            if (now == identities && bearerToken != null && bearerToken.equals(token)) {
                return caller;
            }
            Caller found = now.identify(bearerToken);
            identities = now;
            token = bearerToken;
            caller = found;
            return found;
        }
    }
}
