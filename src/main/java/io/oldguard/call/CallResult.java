package io.oldguard.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.guard.Refusal;

/** How a call ended at the backend: the typed result, or a failure described as a problem. */
public sealed interface CallResult {

    record Success(ObjectNode result) implements CallResult {
    }

    record Failure(Refusal refusal) implements CallResult {
    }
}
