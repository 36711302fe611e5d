package io.oldguard.cli;

import io.oldguard.Setup;
import io.oldguard.config.ConfigException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.SidecarConfig;
import io.oldguard.sql.DatabasePools;
import io.oldguard.sql.SqlVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code oldguard check}: loads the configuration, every WSDL and every policy exactly as {@code run} would,
 * prints each problem on its own line and exits 1 if there is any — for CI of policy repositories. With
 * {@code --db} it also checks every SQL tool against its database (the statement parses, the parameter types fit),
 * using the configured credentials.
 */
final class CheckCommand {

    private CheckCommand() {
    }

    static int run(Options options) {
        Path config = Path.of(options.get("config", "sidecar.yaml"));
        try {
            Setup setup = options.flag("db") ? withDatabase(config) : Setup.load(config);
            System.out.println("ok: " + config + " — " + setup.catalog().all().size() + " tools from "
                    + setup.config().backends().size() + " backend(s), " + setup.config().agents().size()
                    + " agents, policy version " + setup.policies().version());
            return 0;
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            System.err.println(e.problems().size() + " problem(s) found");
            return 1;
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
