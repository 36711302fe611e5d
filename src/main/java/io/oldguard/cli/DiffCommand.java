package io.oldguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.Setup;
import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.SidecarConfig;
import io.oldguard.policy.PolicyDiff;
import io.oldguard.policy.PolicySet;
import io.oldguard.sql.SqlVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code oldguard check --diff OLD NEW}: loads two policy folders against the same {@code sidecar.yaml} (its WSDLs
 * and agents), each checked as a reload would, and prints what the change does. Exits 1 if either folder does not
 * load, so a CI job can run it on every pull request.
 */
final class DiffCommand {

    private DiffCommand() {
    }

    static int run(Path configFile, List<String> folders, boolean json) {
        if (folders.size() != 2) {
            System.err.println("oldguard check: --diff needs two policy folders (expected: --diff OLD NEW)");
            return 2;
        }
        List<String> problems = new ArrayList<>();
        SidecarConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            CheckCommand.report(e.problems(), json);
            return 1;
        }
        PolicySet before = load(config, configFile, folders.get(0), problems);
        PolicySet after = load(config, configFile, folders.get(1), problems);
        if (!problems.isEmpty()) {
            CheckCommand.report(problems, json);
            return 1;
        }
        List<PolicyDiff.Change> changes = PolicyDiff.between(before, after);
        if (json) {
            ObjectNode body = CheckCommand.JSON.createObjectNode().put("ok", true)
                    .put("from", before.version()).put("to", after.version());
            ArrayNode list = body.putArray("changes");
            changes.forEach(c -> list.addObject().put("kind", label(c.kind())).put("key", c.key())
                    .put("from", c.from()).put("to", c.to()));
            CheckCommand.print(body);
            return 0;
        }
        System.out.println("policy " + before.version() + " -> " + after.version() + ": "
                + (changes.isEmpty() ? "no changes" : changes.size() + " change(s)"));
        for (PolicyDiff.Change c : changes) {
            System.out.printf("  %-9s %s: %s%n", label(c.kind()), c.key(), describe(c));
        }
        return 0;
    }

    private static PolicySet load(SidecarConfig config, Path configFile, String folder, List<String> problems) {
        try {
            // The folder is given relative to where the command runs, not to sidecar.yaml.
            SidecarConfig withFolder = config.withPolicies(Path.of(folder).toAbsolutePath().toString());
            return Setup.of(withFolder, configFile.toString(), SqlVerifier.NONE).policies();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    private static String describe(PolicyDiff.Change c) {
        if (c.from() == null) {
            return c.to() == null ? "" : "now " + c.to();
        }
        return c.to() == null ? "no longer " + c.from() : c.from() + " -> " + c.to();
    }

    private static String label(PolicyDiff.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
