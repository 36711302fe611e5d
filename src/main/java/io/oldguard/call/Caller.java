package io.oldguard.call;

/**
 * Who is calling, as the transport established it: a configured agent, or nobody (with why). The identity
 * guard refuses the latter; every guard after it may rely on {@link Agent}.
 */
public sealed interface Caller {

    record Agent(String id) implements Caller {
    }

    /** No credential was presented ({@code missing}) or it matched no agent. */
    record Anonymous(boolean missing) implements Caller {
    }
}
