package io.oldguard.call;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Where a call started on an event loop runs, and how it is cancelled. Such a call runs on its agent connection's
 * event loop as long as no step may wait; a step that may (a queue, a file, a database) continues on a virtual
 * thread through {@link #offload}. Cancelling (the client went away) runs the abort that the step in progress
 * registered: an exchange with the service is cut off, a virtual thread is interrupted.
 */
public final class CallControl {

    private final EventLoop loop;
    private final Executor workers;
    // Guarded by this.
    private Runnable abort;
    private boolean cancelled;

    /**
     * @param loop    the agent connection's event loop, on which the call starts
     * @param workers where steps that may wait run: one virtual thread each
     */
    public CallControl(EventLoop loop, Executor workers) {
        this.loop = loop;
        this.workers = workers;
    }

    public EventLoop loop() {
        return loop;
    }

    /** Runs a step that may wait on a virtual thread, which a cancellation interrupts. */
    public <T> CompletableFuture<T> offload(Supplier<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        workers.execute(() -> {
            Runnable interrupt = Thread.currentThread()::interrupt;
            onCancel(interrupt);
            T result;
            try {
                result = work.get();
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
                return;
            } finally {
                // Before the next step runs (it may register its own abort), and so the next task on this carrier
                // is not interrupted by a cancel that came too late for this one.
                clearAbort(interrupt);
                Thread.interrupted();
            }
            done.complete(result);
        });
        return done;
    }

    /** What cancelling does from now on; runs at once if the call is cancelled already. */
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                abort = action;
                return;
            }
        }
        action.run();
    }

    /** The client went away: aborts the step in progress, once. */
    public void cancel() {
        Runnable action;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            action = abort;
            abort = null;
        }
        if (action != null) {
            action.run();
        }
    }

    private synchronized void clearAbort(Runnable mine) {
        if (abort == mine) {
            abort = null;
        }
    }
}
