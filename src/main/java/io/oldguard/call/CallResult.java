package io.oldguard.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.guard.Refusal;

/**
 * How a call ended at the backend: the typed result, or a failure described as a problem. A call that carried
 * its client's original envelope also keeps the backend's answer as it came ({@code answer}), so it can be
 * relayed unchanged; otherwise {@code answer} is null.
 */
public sealed interface CallResult {

    /** The backend's own bytes, or null. */
    RawMessage answer();

    /** {@code result} is null for an answer relayed as it came ({@code answer}), which is not read into JSON. */
    record Success(ObjectNode result, RawMessage answer) implements CallResult {
        public Success(ObjectNode result) {
            this(result, null);
        }
    }

    record Failure(Refusal refusal, RawMessage answer) implements CallResult {
        public Failure(Refusal refusal) {
            this(refusal, null);
        }
    }
}
