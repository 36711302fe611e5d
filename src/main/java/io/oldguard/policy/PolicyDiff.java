package io.oldguard.policy;

import io.oldguard.catalog.Tool;
import io.oldguard.config.Rate;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a policy change does, for a reviewer: tools added or removed, grants given or taken, and every rule and
 * limit that got tighter or looser. A rule that is absent counts as the loosest, so adding a rule tightens.
 */
public final class PolicyDiff {

    /** How a change moves protection. */
    public enum Kind { ADDED, REMOVED, TIGHTENED, LOOSENED, CHANGED }

    /** One change: the key as a policy file writes it, and the value before and after (null: not set). */
    public record Change(Kind kind, String key, String from, String to) {
    }

    private final List<Change> changes = new ArrayList<>();

    private PolicyDiff() {
    }

    public static List<Change> between(PolicySet before, PolicySet after) {
        PolicyDiff diff = new PolicyDiff();
        diff.tools(before, after);
        diff.grants(before, after);
        for (String tool : union(before.tools().keySet(), after.tools().keySet())) {
            diff.tool("tools." + tool, before.tools().getOrDefault(tool, ToolPolicy.defaults()),
                    after.tools().getOrDefault(tool, ToolPolicy.defaults()));
        }
        return List.copyOf(diff.changes);
    }

    private void tools(PolicySet before, PolicySet after) {
        Set<String> names = union(names(before), names(after));
        for (String name : names) {
            Tool old = before.catalog().find(name).orElse(null);
            Tool now = after.catalog().find(name).orElse(null);
            if (old == null) {
                add(Kind.ADDED, "tool " + name, null, now.description());
            } else if (now == null) {
                add(Kind.REMOVED, "tool " + name, old.description(), null);
            } else if (!old.equals(now)) {
                add(Kind.CHANGED, "tool " + name, "its definition (SQL, parameters or result)", "a new one");
            }
        }
    }

    private void grants(PolicySet before, PolicySet after) {
        for (String agent : union(before.agents().keySet(), after.agents().keySet())) {
            String key = "agents." + agent;
            Set<String> old = before.toolsGrantedTo(agent);
            Set<String> now = after.toolsGrantedTo(agent);
            for (String tool : union(old, now)) {
                if (!old.contains(tool)) {
                    add(Kind.LOOSENED, key + ".tools", null, tool);
                } else if (!now.contains(tool)) {
                    add(Kind.TIGHTENED, key + ".tools", tool, null);
                }
            }
            rate(key + ".limits.rate", agentRate(before.agents().get(agent)), agentRate(after.agents().get(agent)));
            if (before.agents().containsKey(agent) && after.agents().containsKey(agent)) {
                changed(key + ".share", before.agents().get(agent).share(), after.agents().get(agent).share());
            }
        }
    }

    private void tool(String key, ToolPolicy old, ToolPolicy now) {
        ordered(key + ".onViolation", old.onViolation(), now.onViolation(), Comparator.naturalOrder());
        ordered(key + ".cost", old.cost(), now.cost(), Comparator.naturalOrder());
        rate(key + ".limits.perAgent", perAgent(old), perAgent(now));
        changed(key + ".timeout", old.timeout(), now.timeout());
        // Strikes and a cool-off both soften what a violation does: adding one loosens, removing one tightens.
        presence(key + ".strikes", old.strikes(), now.strikes(), Kind.LOOSENED);
        presence(key + ".coolOff", old.coolOff(), now.coolOff(), Kind.LOOSENED);
        // A human in the loop tightens; taking it out loosens.
        presence(key + ".approval", old.approval(), now.approval(), Kind.TIGHTENED);
        for (String param : union(old.params().keySet(), now.params().keySet())) {
            param(key + ".params." + param, old.params().getOrDefault(param, ParamRule.NONE),
                    now.params().getOrDefault(param, ParamRule.NONE), old.onViolation(), now.onViolation());
        }
    }

    /** @param oldTool the tool's own action before, which a parameter without one follows (and after: newTool) */
    private void param(String key, ParamRule old, ParamRule now, ViolationAction oldTool, ViolationAction newTool) {
        ordered(key + ".minimum", old.minimum(), now.minimum(), Comparator.<BigDecimal>naturalOrder());
        ordered(key + ".maximum", old.maximum(), now.maximum(), Comparator.<BigDecimal>reverseOrder());
        ordered(key + ".minLength", old.minLength(), now.minLength(), Comparator.<Integer>naturalOrder());
        ordered(key + ".maxLength", old.maxLength(), now.maxLength(), Comparator.<Integer>reverseOrder());
        ordered(key + ".required", old.required(), now.required(), Comparator.<Boolean>naturalOrder());
        // What a violation of this parameter does in effect: its own action, or else its tool's.
        ViolationAction oldAction = old.onViolation() != null ? old.onViolation() : oldTool;
        ViolationAction newAction = now.onViolation() != null ? now.onViolation() : newTool;
        if (oldAction != newAction && (old.onViolation() != null || now.onViolation() != null)) {
            add(newAction.compareTo(oldAction) > 0 ? Kind.TIGHTENED : Kind.LOOSENED, key + ".onViolation",
                    text(oldAction), text(newAction));
        }
        presence(key + ".pattern", old.pattern(), now.pattern(), Kind.TIGHTENED);
        changed(key + ".sensitive", old.sensitive(), now.sensitive());
        List<String> oldEnum = old.enumeration();
        List<String> newEnum = now.enumeration();
        if (!Objects.equals(oldEnum == null ? null : Set.copyOf(oldEnum), newEnum == null ? null : Set.copyOf(newEnum))) {
            boolean narrower = oldEnum == null || (newEnum != null && oldEnum.containsAll(newEnum));
            boolean wider = newEnum == null || newEnum.containsAll(oldEnum);
            add(narrower ? Kind.TIGHTENED : wider ? Kind.LOOSENED : Kind.CHANGED, key + ".enum", text(oldEnum), text(newEnum));
        }
    }

    /** {@code stricter} orders values from loose to strict; no value at all is the loosest. */
    private <T> void ordered(String key, T old, T now, Comparator<? super T> stricter) {
        if (Objects.equals(old, now)) {
            return;
        }
        boolean tighter = old == null || (now != null && stricter.compare(now, old) > 0);
        add(tighter ? Kind.TIGHTENED : Kind.LOOSENED, key, text(old), text(now));
    }

    private void rate(String key, Rate old, Rate now) {
        if (Objects.equals(old, now)) {
            return;
        }
        if (old == null || now == null) {
            add(old == null ? Kind.TIGHTENED : Kind.LOOSENED, key, text(old), text(now));
            return;
        }
        boolean slower = now.perSecond() <= old.perSecond() && now.burst() <= old.burst();
        boolean faster = now.perSecond() >= old.perSecond() && now.burst() >= old.burst();
        add(slower ? Kind.TIGHTENED : faster ? Kind.LOOSENED : Kind.CHANGED, key, text(old), text(now));
    }

    /** A setting whose mere presence tightens or loosens; between two values it is only "changed". */
    private void presence(String key, Object old, Object now, Kind whenAdded) {
        if (Objects.equals(old, now)) {
            return;
        }
        Kind whenRemoved = whenAdded == Kind.TIGHTENED ? Kind.LOOSENED : Kind.TIGHTENED;
        add(old == null ? whenAdded : now == null ? whenRemoved : Kind.CHANGED, key, text(old), text(now));
    }

    private void changed(String key, Object old, Object now) {
        if (!Objects.equals(old, now)) {
            add(Kind.CHANGED, key, text(old), text(now));
        }
    }

    private void add(Kind kind, String key, String from, String to) {
        changes.add(new Change(kind, key, from, to));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static Rate agentRate(AgentPolicy policy) {
        return policy == null || policy.limits() == null ? null : policy.limits().rate();
    }

    private static Rate perAgent(ToolPolicy policy) {
        return policy.limits() == null ? null : policy.limits().perAgent();
    }

    private static Set<String> names(PolicySet set) {
        Set<String> names = new TreeSet<>();
        set.catalog().all().forEach(t -> names.add(t.name()));
        return names;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
