package io.oldguard.config;

import static io.oldguard.config.BrokenCopies.copyOfShippedSetup;
import static io.oldguard.config.BrokenCopies.replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each listener's connection cap and request deadline: documented defaults, and settings that are checked. */
class ListenerSettingsTest {

    @TempDir
    Path dir;

    @Test
    void theShippedFileHasTheDocumentedDefaults() {
        SidecarConfig config = ConfigLoader.load(Path.of("sidecar.yaml"));

        assertThat(config.listeners().agent().maxConnections()).isEqualTo(1024);
        assertThat(config.listeners().agent().requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.listeners().admin().maxConnections()).isEqualTo(64);
        assertThat(config.listeners().admin().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.admin().metricsRequireToken()).isFalse();
    }

    @Test
    void readsTheCapAndDeadlineOfEachListener() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "admin: { host: 127.0.0.1, port: 9901 }",
                "admin: { host: 127.0.0.1, port: 9901, maxConnections: 8, requestTimeout: 2s }");

        Listener admin = ConfigLoader.load(config).listeners().admin();

        assertThat(admin.maxConnections()).isEqualTo(8);
        assertThat(admin.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesACapBelowOne() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "agent: { host: 127.0.0.1, port: 8080 }", "agent: { host: 127.0.0.1, port: 8080, maxConnections: 0 }");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(config));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("listeners.agent.maxConnections"));
    }

    @Test
    void refusesMetricsBehindATokenThatIsNotConfigured() {
        Path config = copyOfShippedSetup(dir);
        replace(config, "  tokenEnv: OLDGUARD_ADMIN_TOKEN", "  # no token");
        replace(config, "metricsRequireToken: false", "metricsRequireToken: true");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(config));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("admin.metricsRequireToken")
                .contains("expected admin.tokenEnv or admin.tokenFile"));
    }
}
