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

    /** Told how every allowed call ended at its backend; for guards that learn from outcomes. */
    default void completed(ToolCall call, CallResult result) {
    }
}
