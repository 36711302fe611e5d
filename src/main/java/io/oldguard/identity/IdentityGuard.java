package io.oldguard.identity;

import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;

/** First guard of the chain: a call without a known agent goes no further (401). */
public final class IdentityGuard implements Guard {

    @Override
    public boolean mayBlock(ToolCall call) {
        return false;
    }

    @Override
    public Verdict check(ToolCall call) {
        return check(call.caller());
    }

    /** Also used for tool listings, which are not calls but need the same answer. */
    public Verdict check(Caller caller) {
        return switch (caller) {
            case Caller.Agent agent -> Verdict.ALLOW;
            case Caller.Anonymous anonymous when anonymous.missing() -> Refusals.missingCredentials();
            case Caller.Anonymous anonymous -> Refusals.unknownCredentials();
        };
    }
}
