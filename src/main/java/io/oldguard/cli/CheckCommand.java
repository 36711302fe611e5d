package io.oldguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.Setup;
import io.oldguard.catalog.SqlQuery;
import io.oldguard.config.ConfigException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.Problem;
import io.oldguard.config.SidecarConfig;
import io.oldguard.sql.DatabasePools;
import io.oldguard.sql.SqlVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code oldguard check}: loads the configuration, every WSDL and every policy exactly as {@code run} (and a
 * reload) would, prints each problem on its own line with file, line and key, and exits 1 if there is any — for
 * CI of policy repositories. {@code --format json} prints one JSON document instead. With {@code --db} it also
 * checks every SQL tool against its database (the statement parses, the parameter types fit), using the
 * configured credentials. {@code --diff OLD NEW} compares two policy folders instead ({@link DiffCommand});
 * {@code --replay CALLS.jsonl} runs recorded calls through the policies ({@link ReplayCommand}).
 */
final class CheckCommand {

    static final ObjectMapper JSON = new ObjectMapper();

    private CheckCommand() {
    }

    static int run(Options options) {
        Path config = Path.of(options.get("config", "sidecar.yaml"));
        String format = options.get("format", "text");
        if (!format.equals("text") && !format.equals("json")) {
            System.err.println("oldguard check: --format " + format + " (expected: text or json)");
            return 2;
        }
        boolean json = format.equals("json");
        if (options.get("replay", null) != null) {
            return ReplayCommand.run(config, options.get("replay", null), options.all("diff"), json);
        }
        if (!options.all("diff").isEmpty()) {
            return DiffCommand.run(config, options.all("diff"), json);
        }
        try {
            Setup setup = options.flag("db") ? withDatabase(config) : Setup.load(config);
            if (json) {
                print(JSON.createObjectNode().put("ok", true).put("config", config.toString())
                        .put("version", setup.policies().version()).put("tools", setup.catalog().all().size()));
            } else {
                long sql = setup.catalog().all().stream().filter(t -> t.binding() instanceof SqlQuery).count();
                long soap = setup.catalog().all().size() - sql;
                System.out.println("ok: " + config + " — " + setup.catalog().all().size() + " tools (" + soap
                        + " SOAP operations of " + setup.config().backends().size() + " backend(s), " + sql
                        + " SQL tools on " + setup.config().databases().size() + " database(s)), "
                        + setup.config().agents().size() + " agents, policy version " + setup.policies().version());
            }
            return 0;
        } catch (ConfigException e) {
            report(e.problems(), json);
            return 1;
        }
    }

    /** Problems as text lines on stderr, or as {@code {"ok": false, "problems": [...]}} on stdout. */
    static void report(List<String> problems, boolean json) {
        if (!json) {
            problems.forEach(p -> System.err.println("error: " + p));
            System.err.println(problems.size() + " problem(s) found");
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("ok", false);
        ArrayNode list = body.putArray("problems");
        for (String p : problems) {
            Problem problem = Problem.parse(p);
            ObjectNode node = list.addObject().put("file", problem.file());
            if (problem.line() > 0) {
                node.put("line", problem.line());
            }
            node.put("key", problem.key()).put("message", problem.message());
        }
        print(body);
    }

    static void print(ObjectNode body) {
        try {
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }

    private static Setup withDatabase(Path config) {
        SidecarConfig loaded = ConfigLoader.load(config);
        List<String> unreachable = new ArrayList<>();
        try (DatabasePools pools = DatabasePools.open(loaded, config.toString(), System.getenv(), new SimpleMeterRegistry())) {
            Setup setup = Setup.of(loaded, config.toString(), SqlVerifier.using(pools::connection,
                    (key, why) -> unreachable.add(ConfigException.problem(config.toString(), key, why))));
            if (!unreachable.isEmpty()) {
                throw new ConfigException(unreachable);
            }
            return setup;
        }
    }
}
