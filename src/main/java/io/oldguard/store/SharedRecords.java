package io.oldguard.store;

import java.util.Map;
import java.util.Objects;

/**
 * A small map shared by the fleet where the latest write wins, by a stamp the writer gives (milliseconds since the
 * epoch), and between two writes with the same stamp, the one of the writer whose id sorts last: every sidecar
 * then settles on the same value. Used for halts: each sidecar writes the halts and releases it decides, and reads
 * everyone else's.
 */
public interface SharedRecords {

    /** A value, the stamp it was written with, and who wrote it. */
    record Stamped(String value, long stamp, String writer) {

        /** Whether this write wins over one stamped {@code stamp} by {@code writer}. */
        public boolean winsOver(long otherStamp, String otherWriter) {
            return stamp != otherStamp ? stamp > otherStamp
                    : Objects.toString(writer, "").compareTo(Objects.toString(otherWriter, "")) > 0;
        }
    }

    /**
     * Writes the value unless the map already holds one that wins over it (a later stamp, or the same stamp by a
     * writer whose id sorts after this one's). The same writer may write the same stamp again (a re-publish).
     *
     * @return false if a winning write was already there (the caller's value is out of date)
     */
    boolean put(String key, String value, long stamp, String writer);

    Map<String, Stamped> all();

    /**
     * An id the store keeps for as long as it keeps the records; a new one means the store lost them (a Redis
     * restarted without persistence), so every sidecar writes what it knows again.
     */
    String generation();
}
