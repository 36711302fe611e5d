package io.oldguard.store;

import java.time.Duration;

/** Runs of backend refusals per agent (error streaks), counted by this sidecar or across the fleet. */
public interface Streaks {

    /**
     * Counts one more fault of the agent, forgetting those older than {@code window}.
     *
     * @return the streak's length with this fault; at {@code threshold} or above the streak starts again at 0
     */
    int fault(String agent, Duration window, int threshold);

    /** A success ends the agent's streak. */
    void success(String agent);

    /** Whether they are counted in this process's memory, so counting never waits; false in fleet mode. */
    boolean local();
}
