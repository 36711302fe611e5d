package io.oldguard.replay;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replay counted: per agent, the calls allowed and refused and the call at which it would be halted; over all,
 * the outcomes and, where the file records what the sidecar decided, how many calls the replay decides otherwise.
 *
 * @param agents    by agent id ({@code (no agent)} for callers no token identified), in order of first call
 * @param outcomes  calls by outcome, sorted by name
 * @param compared  calls whose file records what the sidecar decided
 * @param differing of those, calls the replay decides otherwise
 */
public record ReplaySummary(int calls, int allowed, int refused, int unverifiable, Map<String, Agent> agents,
        Map<String, Integer> outcomes, int compared, int differing) {

    public static final String NO_AGENT = "(no agent)";

    /**
     * @param haltedAt the line of the call that halted the agent (the first, if it was released and halted again),
     *                 or 0 when it was never halted
     */
    public record Agent(int calls, int allowed, int refused, int haltedAt, String haltReason) {
    }

    public static ReplaySummary of(List<Replay.Decided> decided) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, Replay.Decided> firstHalt = new LinkedHashMap<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        int allowed = 0;
        int refused = 0;
        int unverifiable = 0;
        int compared = 0;
        int differing = 0;
        for (Replay.Decided d : decided) {
            String agent = d.call().agent() == null ? NO_AGENT : d.call().agent();
            int[] c = counts.computeIfAbsent(agent, a -> new int[3]);
            c[0]++;
            if (d.allowed()) {
                allowed++;
                c[1]++;
            } else if (d.refused()) {
                refused++;
                c[2]++;
            } else {
                unverifiable++;
            }
            outcomes.merge(d.outcome(), 1, Integer::sum);
            if (d.halted() != null) {
                firstHalt.putIfAbsent(agent, d);
            }
            String expected = d.call().expected();
            if (expected != null && !d.outcome().equals(Replay.UNVERIFIABLE)) {
                compared++;
                if (!expected.equals(d.outcome())) {
                    differing++;
                }
            }
        }
        Map<String, Agent> agents = new LinkedHashMap<>();
        counts.forEach((agent, c) -> {
            Replay.Decided halt = firstHalt.get(agent);
            agents.put(agent, new Agent(c[0], c[1], c[2], halt == null ? 0 : halt.call().line(),
                    halt == null ? null : halt.halted().reason()));
        });
        return new ReplaySummary(decided.size(), allowed, refused, unverifiable, agents, outcomes, compared, differing);
    }
}
