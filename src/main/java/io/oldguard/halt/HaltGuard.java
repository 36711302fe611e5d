package io.oldguard.halt;

import io.oldguard.call.ToolCall;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;

/** Second guard: a halted agent's calls go no further (423), whatever the tool. */
public final class HaltGuard implements Guard {

    private final HaltRegistry registry;

    public HaltGuard(HaltRegistry registry) {
        this.registry = registry;
    }

    /** Only an agent with a halt on record may need the halts file (a cool-off that has run out is lifted). */
    @Override
    public boolean mayBlock(ToolCall call) {
        return mayBlock(call.agent());
    }

    public boolean mayBlock(String agent) {
        return registry.holds(agent);
    }

    @Override
    public Verdict check(ToolCall call) {
        return check(call.agent());
    }

    /** Also used for tool listings: a halted agent is not told its tools either. */
    public Verdict check(String agent) {
        return registry.current(agent).<Verdict>map(Refusals::halted).orElse(Verdict.ALLOW);
    }
}
