package io.oldguard.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The calls whose outcome changes between two replays of the same file (the policies before and after an edit),
 * grouped by agent and by the rule that decides the change: what a reviewer of a policy pull request asks.
 */
public final class ReplayDiff {

    public enum Kind {
        /** allowed before, refused after: the edit tightens. */
        NEWLY_REFUSED,
        /** refused before, allowed after: the edit lets through a call the old policy refused. */
        LET_THROUGH,
        /** refused before and after, for another reason (say, halted earlier now). */
        REFUSED_OTHERWISE
    }

    /**
     * @param rule what decides the change: the refusing guard and outcome of the newer refusal (the older one for
     *             {@link Kind#LET_THROUGH}), with the violated parameters and rules
     */
    public record Change(Kind kind, Replay.Decided before, Replay.Decided after, String rule) {
        public RecordedCall call() {
            return after.call();
        }
    }

    private ReplayDiff() {
    }

    /** @param before,after replays of the same calls, in the same (line) order */
    public static List<Change> between(List<Replay.Decided> before, List<Replay.Decided> after) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            Replay.Decided b = before.get(i);
            Replay.Decided a = after.get(i);
            if (b.outcome().equals(a.outcome()) && b.rules().equals(a.rules())) {
                continue;
            }
            if (b.refused() && a.allowed()) {
                changes.add(new Change(Kind.LET_THROUGH, b, a, rule(b)));
            } else if (b.allowed() && a.refused()) {
                changes.add(new Change(Kind.NEWLY_REFUSED, b, a, rule(a)));
            } else if (b.refused() && a.refused()) {
                changes.add(new Change(Kind.REFUSED_OTHERWISE, b, a, rule(a)));
            }
        }
        return changes;
    }

    /** Changes by agent, then by rule; agents and rules sorted by name, calls in line order. */
    public static Map<String, Map<String, List<Change>>> grouped(List<Change> changes) {
        Map<String, Map<String, List<Change>>> groups = new TreeMap<>();
        for (Change c : changes) {
            String agent = c.call().agent() == null ? ReplaySummary.NO_AGENT : c.call().agent();
            groups.computeIfAbsent(agent, k -> new TreeMap<>())
                    .computeIfAbsent(c.rule(), k -> new ArrayList<>()).add(c);
        }
        return groups;
    }

    public static boolean letsThrough(List<Change> changes) {
        return changes.stream().anyMatch(c -> c.kind() == Kind.LET_THROUGH);
    }

    private static String rule(Replay.Decided d) {
        String rule = d.decidedBy() + ": " + d.outcome();
        return d.rules().isEmpty() ? rule : rule + " (" + String.join(", ", d.rules()) + ")";
    }
}
