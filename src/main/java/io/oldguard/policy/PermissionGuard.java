package io.oldguard.policy;

import io.oldguard.call.ToolCall;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import java.util.function.Supplier;

/** Refuses a tool the policies do not grant to the calling agent (403); nothing is granted by default. */
public final class PermissionGuard implements Guard {

    private final Supplier<PolicySet> policies;

    public PermissionGuard(Supplier<PolicySet> policies) {
        this.policies = policies;
    }

    @Override
    public boolean mayBlock(ToolCall call) {
        return false;
    }

    @Override
    public Verdict check(ToolCall call) {
        PolicySet set = policies.get();
        String agent = call.agent();
        return set.grants(agent, call.tool().name()) ? Verdict.ALLOW
                : Refusals.notGranted(agent, call.tool().name(), set.toolsGrantedTo(agent));
    }
}
