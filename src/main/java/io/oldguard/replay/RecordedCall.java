package io.oldguard.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.capture.CallCapture;
import java.time.Instant;
import java.util.Iterator;

/**
 * One line of a capture file: a call as the sidecar decoded it, and what the sidecar decided.
 *
 * @param line      the line's number in the file, from 1
 * @param agent     the agent id, or null for a caller no token identified
 * @param outcome   the audit outcome recorded ({@code ok} or a refusal's), or null when the file does not say
 * @param decidedBy the refusing guard's name, or {@code backend}; null when the file does not say
 */
public record RecordedCall(int line, Instant at, String agent, String tool, ObjectNode arguments, String transport,
        String requestId, String outcome, String decidedBy) {

    /** The replay's name for a call every guard let through (the backend is never called). */
    public static final String ALLOWED = "allowed";

    /**
     * What a replay on the same policies should decide: the recorded outcome when a guard refused the call,
     * {@value #ALLOWED} when it reached the backend; null when the file does not record who decided.
     */
    public String expected() {
        if (decidedBy == null || outcome == null) {
            return null;
        }
        return decidedBy.equals("backend") ? ALLOWED : outcome;
    }

    /** Whether the backend answered it with success or failure, which the error-streak guard learns from. */
    boolean reachedBackend() {
        return "backend".equals(decidedBy) && outcome != null;
    }

    /** An argument was recorded as a keyed hash (a sensitive parameter), so its value cannot be checked again. */
    public boolean hashed() {
        for (Iterator<JsonNode> it = arguments.elements(); it.hasNext(); ) {
            JsonNode value = it.next();
            if (value.isTextual() && value.textValue().startsWith(CallCapture.HASH_PREFIX)) {
                return true;
            }
        }
        return false;
    }
}
