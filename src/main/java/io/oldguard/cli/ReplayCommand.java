package io.oldguard.cli;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.Setup;
import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.SidecarConfig;
import io.oldguard.policy.PolicySet;
import io.oldguard.replay.CallFile;
import io.oldguard.replay.RecordedCall;
import io.oldguard.replay.Replay;
import io.oldguard.replay.ReplayDiff;
import io.oldguard.replay.ReplaySummary;
import io.oldguard.sql.SqlVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * {@code oldguard check --replay CALLS.jsonl [--diff OLD NEW]}: runs recorded calls through the guard chain offline
 * ({@link Replay}) and prints what the policies decide for each call, each agent and in all; with {@code --diff},
 * the calls whose outcome changes between two policy folders. Exit codes: 0 (done; with {@code --diff}: nothing
 * changed, or only refusals were added), 1 (the configuration, a policy folder or the file does not load), 2
 * (usage), {@value #LETS_THROUGH} (with {@code --diff}: the edit lets through a call the old policies refused).
 */
final class ReplayCommand {

    /** The exit code of a {@code --diff} whose new policies let through a call the old ones refused. */
    static final int LETS_THROUGH = 3;

    private ReplayCommand() {
    }

    static int run(Path configFile, String callFile, List<String> diff, boolean json) {
        if (!diff.isEmpty() && diff.size() != 2) {
            System.err.println("oldguard check: --diff needs two policy folders (expected: --diff OLD NEW)");
            return 2;
        }
        List<String> problems = new ArrayList<>();
        SidecarConfig config;
        List<RecordedCall> calls;
        try {
            config = ConfigLoader.load(configFile);
            calls = CallFile.read(Path.of(callFile));
        } catch (ConfigException e) {
            CheckCommand.report(e.problems(), json);
            return 1;
        }
        PolicySet before = load(config, configFile, diff.isEmpty() ? null : diff.get(0), problems);
        PolicySet after = diff.isEmpty() ? null : load(config, configFile, diff.get(1), problems);
        if (!problems.isEmpty()) {
            CheckCommand.report(problems, json);
            return 1;
        }
        // The replay's halts and refusals are not events of a running sidecar: they would read like real ones.
        Level halts = quiet("oldguard.halts");
        Level validation = quiet("oldguard.validation");
        try {
            List<Replay.Decided> first = Replay.run(config, before, calls);
            if (after == null) {
                print(callFile, before, first, json);
                return 0;
            }
            List<ReplayDiff.Change> changes = ReplayDiff.between(first, Replay.run(config, after, calls));
            printDiff(callFile, calls.size(), before, after, changes, json);
            return ReplayDiff.letsThrough(changes) ? LETS_THROUGH : 0;
        } finally {
            restore("oldguard.halts", halts);
            restore("oldguard.validation", validation);
        }
    }

    /** The configured policy folder when {@code folder} is null. */
    private static PolicySet load(SidecarConfig config, Path configFile, String folder, List<String> problems) {
        try {
            // A folder given here is relative to where the command runs, not to sidecar.yaml (as check --diff).
            SidecarConfig with = folder == null ? config : config.withPolicies(Path.of(folder).toAbsolutePath().toString());
            return Setup.of(with, configFile.toString(), SqlVerifier.NONE).policies();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    private static void print(String callFile, PolicySet policies, List<Replay.Decided> decided, boolean json) {
        ReplaySummary summary = ReplaySummary.of(decided);
        if (json) {
            ObjectNode body = CheckCommand.JSON.createObjectNode().put("ok", true).put("file", callFile)
                    .put("version", policies.version());
            ArrayNode list = body.putArray("calls");
            for (Replay.Decided d : decided) {
                ObjectNode call = list.addObject().put("line", d.call().line()).put("agent", d.call().agent())
                        .put("tool", d.call().tool()).put("outcome", d.outcome()).put("recorded", d.call().outcome());
                if (d.halted() != null) {
                    call.put("halts", true);
                }
            }
            ObjectNode agents = body.putObject("agents");
            summary.agents().forEach((agent, a) -> {
                ObjectNode node = agents.putObject(agent).put("calls", a.calls()).put("allowed", a.allowed())
                        .put("refused", a.refused());
                if (a.haltedAt() > 0) {
                    node.put("haltedAt", a.haltedAt()).put("haltReason", a.haltReason());
                } else {
                    node.putNull("haltedAt");
                }
            });
            ObjectNode total = body.putObject("summary").put("calls", summary.calls()).put("allowed", summary.allowed())
                    .put("refused", summary.refused()).put("unverifiable", summary.unverifiable())
                    .put("agentsHalted", summary.agents().values().stream().filter(a -> a.haltedAt() > 0).count())
                    .put("compared", summary.compared()).put("differing", summary.differing());
            ObjectNode outcomes = total.putObject("outcomes");
            summary.outcomes().forEach(outcomes::put);
            CheckCommand.print(body);
            return;
        }
        System.out.println("replay of " + callFile + " (" + summary.calls() + " calls) against policy version "
                + policies.version());
        System.out.printf("  %5s  %-16s %-20s %-22s %s%n", "line", "agent", "tool", "outcome", "recorded");
        for (Replay.Decided d : decided) {
            System.out.printf("  %5d  %-16s %-20s %-22s %s%s%n", d.call().line(), agentName(d.call()), d.call().tool(),
                    d.outcome(), d.call().outcome() == null ? "-" : d.call().outcome(),
                    d.halted() == null ? "" : "   <- halts " + d.call().agent());
        }
        System.out.println("agents:");
        summary.agents().forEach((agent, a) -> System.out.println("  " + agent + ": " + a.calls() + " calls, "
                + a.allowed() + " allowed, " + a.refused() + " refused; "
                + (a.haltedAt() > 0 ? "halted at line " + a.haltedAt() + " (" + a.haltReason() + ")" : "not halted")));
        StringBuilder outcomes = new StringBuilder();
        summary.outcomes().forEach((o, n) -> outcomes.append(outcomes.isEmpty() ? "" : ", ").append(o).append(' ').append(n));
        System.out.println("summary: " + summary.calls() + " calls, " + summary.allowed() + " allowed, "
                + summary.refused() + " refused" + (summary.unverifiable() > 0 ? ", " + summary.unverifiable()
                + " unverifiable (sensitive values recorded as hashes)" : "") + "; " + outcomes
                + (summary.compared() > 0 ? "; " + summary.differing() + " of " + summary.compared()
                + " recorded decisions decided otherwise" : ""));
    }

    private static void printDiff(String callFile, int calls, PolicySet before, PolicySet after,
            List<ReplayDiff.Change> changes, boolean json) {
        Map<String, Map<String, List<ReplayDiff.Change>>> groups = ReplayDiff.grouped(changes);
        long letThrough = changes.stream().filter(c -> c.kind() == ReplayDiff.Kind.LET_THROUGH).count();
        long newlyRefused = changes.stream().filter(c -> c.kind() == ReplayDiff.Kind.NEWLY_REFUSED).count();
        if (json) {
            ObjectNode body = CheckCommand.JSON.createObjectNode().put("ok", true).put("file", callFile)
                    .put("calls", calls).put("from", before.version()).put("to", after.version())
                    .put("newlyRefused", newlyRefused).put("letThrough", letThrough)
                    .put("refusedOtherwise", changes.size() - newlyRefused - letThrough);
            ObjectNode agents = body.putObject("changes");
            groups.forEach((agent, rules) -> {
                ObjectNode byRule = agents.putObject(agent);
                rules.forEach((rule, list) -> {
                    ArrayNode array = byRule.putArray(rule);
                    list.forEach(c -> array.addObject().put("line", c.call().line()).put("tool", c.call().tool())
                            .put("kind", label(c.kind())).put("before", c.before().outcome()).put("after", c.after().outcome()));
                });
            });
            CheckCommand.print(body);
            return;
        }
        System.out.println("replay of " + callFile + " (" + calls + " calls), policy " + before.version() + " -> "
                + after.version() + ": " + (changes.isEmpty() ? "no call changes outcome"
                : changes.size() + " call(s) change outcome: " + newlyRefused + " newly refused, " + letThrough
                + " let through, " + (changes.size() - newlyRefused - letThrough) + " refused otherwise"));
        groups.forEach((agent, rules) -> {
            System.out.println("  " + agent);
            rules.forEach((rule, list) -> {
                System.out.println("    " + rule);
                list.forEach(c -> System.out.printf("      line %-6d %-20s %-22s -> %-22s %s%n", c.call().line(),
                        c.call().tool(), c.before().outcome(), c.after().outcome(), label(c.kind())));
            });
        });
    }

    private static String agentName(RecordedCall call) {
        return call.agent() == null ? ReplaySummary.NO_AGENT : call.agent();
    }

    private static String label(ReplayDiff.Kind kind) {
        return switch (kind) {
            case NEWLY_REFUSED -> "newly refused";
            case LET_THROUGH -> "let through";
            case REFUSED_OTHERWISE -> "refused otherwise";
        };
    }

    private static Level quiet(String logger) {
        ch.qos.logback.classic.Logger l = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(logger);
        Level was = l.getLevel();
        l.setLevel(Level.OFF);
        return was;
    }

    private static void restore(String logger, Level level) {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(logger)).setLevel(level);
    }
}
