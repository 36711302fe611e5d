package io.oldguard.cli;

import io.oldguard.Setup;
import io.oldguard.config.ConfigException;
import java.nio.file.Path;

/**
 * {@code oldguard check}: loads the configuration, every WSDL and every policy exactly as {@code run} would,
 * prints each problem on its own line and exits 1 if there is any — for CI of policy repositories.
 */
final class CheckCommand {

    private CheckCommand() {
    }

    static int run(Options options) {
        Path config = Path.of(options.get("config", "sidecar.yaml"));
        try {
            Setup setup = Setup.load(config);
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
}
