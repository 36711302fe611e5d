package io.oldguard.config;

import static io.oldguard.config.BrokenCopies.copyOfShippedSetup;
import static io.oldguard.config.BrokenCopies.replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.oldguard.Setup;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SOAP passthrough's settings: its path must not shadow the agent port's own APIs, its XML limits are bounded. */
class PassthroughConfigCheckTest {

    @TempDir
    Path dir;

    @Test
    void theShippedBackendIsServedAtItsOwnPathWithDefaultXmlLimits() {
        Setup setup = Setup.load(Path.of("sidecar.yaml"));

        assertThat(setup.config().backends().get("inventory").passthroughPath()).isEqualTo("/inventory");
        assertThat(setup.config().requests().xml().maxDepth()).isEqualTo(32);
    }

    @Test
    void refusesAnEndpointWhosePathIsTheMcpEndpoint() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "endpoint: http://127.0.0.1:8088/inventory", "endpoint: http://127.0.0.1:8088/mcp");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .contains("backends.inventory.endpoint").contains("/mcp").contains("expected a path other than"));
    }

    @Test
    void refusesAnXmlDepthLimitTooSmallForAnEnvelope() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "maxDepth: 32", "maxDepth: 2");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p)
                .contains("requests.xml.maxDepth").contains("greater than or equal to 4"));
    }

    private static java.util.List<String> problems(Path config) {
        return catchThrowableOfType(ConfigException.class, () -> Setup.load(config)).problems();
    }
}
