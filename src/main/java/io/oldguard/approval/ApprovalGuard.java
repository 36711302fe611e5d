package io.oldguard.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.call.ToolCall;
import io.oldguard.guard.Guard;
import io.oldguard.guard.Verdict;
import io.oldguard.policy.ParamRule;
import io.oldguard.policy.PolicySet;
import io.oldguard.policy.ToolPolicy;
import java.util.function.Supplier;

/**
 * Holds a call its policy sends to a human ({@code approval:}) until an operator approved exactly that call: same
 * agent, tool and canonical arguments. It stands after validation and the rate limit: only a valid call is put
 * before a human, a held call spends the agent's budget like any other (so an agent cannot file requests, and
 * webhook posts, faster than it may call), and an approval is used only by a call the rate limit let pass.
 */
public final class ApprovalGuard implements Guard {

    private final Supplier<PolicySet> policies;
    private final ApprovalBook book;

    public ApprovalGuard(Supplier<PolicySet> policies, ApprovalBook book) {
        this.policies = policies;
        this.book = book;
    }

    /** Only a call a rule holds asks the book, which keeps its file and may call the webhook. */
    @Override
    public boolean mayBlock(ToolCall call) {
        ToolPolicy policy = policies.get().tools().get(call.tool().name());
        return policy != null && policy.approval() != null && policy.approval().requires(call.arguments());
    }

    @Override
    public Verdict check(ToolCall call) {
        PolicySet set = policies.get();
        ToolPolicy policy = set.tools().get(call.tool().name());
        if (policy == null || policy.approval() == null || !policy.approval().requires(call.arguments())) {
            return Verdict.ALLOW;
        }
        String hash = ArgumentsHash.of(call.agent(), call.tool().name(), call.arguments());
        return book.admit(call.agent(), call.tool().name(), hash, redacted(policy, call.arguments()),
                policy.approval().ttl(), call.requestId(), set.version());
    }

    /** What the operator is shown and the file keeps: never a value the policy marks sensitive. */
    private static ObjectNode redacted(ToolPolicy policy, ObjectNode arguments) {
        ObjectNode copy = arguments.deepCopy();
        policy.params().forEach((name, rule) -> {
            if (rule != null && rule != ParamRule.NONE && rule.isSensitive() && copy.has(name)) {
                copy.put(name, "[redacted]");
            }
        });
        return copy;
    }
}
