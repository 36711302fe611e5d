package io.oldguard.guard;

import io.oldguard.call.CallResult;
import io.oldguard.call.ToolCall;
import java.util.List;

/**
 * The guards in their one fixed order (Identity ▶ Halt ▶ Permission ▶ Validation ▶ RateLimit ▶ Admission, as
 * far as they exist). The first refusal ends the call; later guards never see a call an earlier one refused,
 * so, for example, an unauthenticated caller never consumes rate-limit tokens.
 */
public final class GuardChain {

    private final List<NamedGuard> guards;

    public record NamedGuard(String name, Guard guard) {
    }

    public record Decision(Verdict verdict, String decidedBy) {
        public boolean allowed() {
            return verdict == Verdict.ALLOW;
        }
    }

    public GuardChain(List<NamedGuard> guards) {
        this.guards = List.copyOf(guards);
    }

    public Decision check(ToolCall call) {
        for (NamedGuard g : guards) {
            Verdict verdict = g.guard().check(call);
            if (verdict instanceof Refusal) {
                return new Decision(verdict, g.name());
            }
        }
        return new Decision(Verdict.ALLOW, "");
    }

    /** Whether any guard might wait while it checks this call or learns of its success. */
    public boolean mayBlock(ToolCall call) {
        for (NamedGuard g : guards) {
            if (g.guard().mayBlock(call)) {
                return true;
            }
        }
        return false;
    }

    /** Tells every guard how an allowed call ended at the backend. */
    public void completed(ToolCall call, CallResult result) {
        for (NamedGuard g : guards) {
            g.guard().completed(call, result);
        }
    }
}
