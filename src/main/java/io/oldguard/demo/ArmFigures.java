package io.oldguard.demo;

import java.time.Duration;

/**
 * What one run of the storm did, every figure measured in it: from the service's own counters, from PostgreSQL,
 * or from the answers the agents got.
 *
 * @param length          how long the agents called
 * @param received        requests the service received (its counter)
 * @param invalidReached  requests the service answered with a fault (its counter): each invented ID that reached it
 *                        ended in one, and the working agents' calls are valid
 * @param stormCalls      calls the storming agent sent
 * @param stormHalted     of those, answered "agent halted" (423) by oldguard; 0 without it
 * @param stormNotHalted  of those, answered otherwise: before the halt was in force (every answer without oldguard)
 * @param peakServiceRate the most requests the service received in one second
 * @param peakConnections the most connections its pool held open to PostgreSQL ({@code pg_stat_activity})
 * @param othersSent      calls the two working agents sent
 * @param othersSucceeded of those, answered with a result in time
 */
record ArmFigures(Duration length, long received, long invalidReached, long stormCalls, long stormHalted, long stormNotHalted,
        long peakServiceRate, int peakConnections, long othersSent, long othersSucceeded) {

    boolean halted() {
        return stormHalted > 0;
    }
}
