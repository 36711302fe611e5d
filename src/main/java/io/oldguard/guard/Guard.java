package io.oldguard.guard;

import io.oldguard.call.CallResult;
import io.oldguard.call.ToolCall;

/**
 * The contract at the spine of oldguard: a guard looks at a {@link ToolCall} and allows it or refuses it.
 * Guards decide and never act on the backend; they must not block the caller for long (no network I/O
 * that is not bounded by the call's deadline).
 */
@FunctionalInterface
public interface Guard {

    Verdict check(ToolCall call);

    /**
     * Whether checking this call, or being told of its successful outcome, might wait (on a file, the network, or a
     * lock held across either). A call no guard may block on is checked on its connection's event loop; any
     * other on a virtual thread. An outcome that is a failure is always told on a virtual thread. When in doubt: true.
     */
    default boolean mayBlock(ToolCall call) {
        return true;
    }

    /** Told how every allowed call ended at its backend; for guards that learn from outcomes. */
    default void completed(ToolCall call, CallResult result) {
    }
}
