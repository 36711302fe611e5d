package io.oldguard.call;

/**
 * Something that carries out an allowed call against a legacy system. Called on a virtual thread, never on an
 * event loop; it must give up by the call's deadline and stop when its thread is interrupted (client gone).
 */
public interface Backend {

    CallResult invoke(ToolCall call);

    /** Whether the system can be used, and if not, why; cheap, for {@code /readyz}. Runs off the event loop. */
    Reachability probe();
}
