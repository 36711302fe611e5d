package io.oldguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.Listeners;
import io.oldguard.config.SidecarConfig;
import io.oldguard.testing.SidecarHarness;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin token may halt and release every agent: oldguard refuses to start with one shorter than an agent's. */
class AdminTokenLengthTest {

    @Test
    void refusesToStartWithAShortAdminTokenNamingTheSetting() {
        SidecarConfig config = ConfigLoader.load(Path.of("sidecar.yaml")).withListeners(Listeners.ephemeral());
        Map<String, String> env = new HashMap<>(SidecarHarness.tokens());
        env.put("OLDGUARD_ADMIN_TOKEN", "x");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Sidecar.start(config, "sidecar.yaml", env));

        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
                .contains("admin.tokenEnv")
                .contains("1 characters long (expected at least 16, as for agent tokens)"));
    }
}
