package io.oldguard.call;

import java.util.concurrent.CompletableFuture;

/**
 * A backend that can also carry a call without blocking the thread that starts it, so a call can go from an
 * agent connection's event loop to the legacy service and back without a thread hand-off.
 */
public interface AsyncBackend extends Backend {

    /**
     * Starts the call on the calling thread (its event loop) and returns at once; the result comes when the
     * backend answers, the call's deadline passes, or {@code control} is cancelled. Never blocks.
     */
    CompletableFuture<CallResult> start(ToolCall call, CallControl control);
}
