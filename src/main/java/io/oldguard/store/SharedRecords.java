package io.oldguard.store;

import java.util.Map;

/**
 * A small map shared by the fleet where the latest write wins, by a stamp the writer gives (milliseconds since the
 * epoch). Used for halts: each sidecar writes the halts and releases it decides, and reads everyone else's.
 */
public interface SharedRecords {

    /** A value and the stamp it was written with. */
    record Stamped(String value, long stamp) {
    }

    /**
     * Writes the value unless the map already holds one with a later stamp.
     *
     * @return false if a later write was already there (the caller's value is out of date)
     */
    boolean put(String key, String value, long stamp);

    Map<String, Stamped> all();

    /**
     * An id the store keeps for as long as it keeps the records; a new one means the store lost them (a Redis
     * restarted without persistence), so every sidecar writes what it knows again.
     */
    String generation();
}
