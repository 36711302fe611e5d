package io.oldguard.config;

import static io.oldguard.config.BrokenCopies.copyOfShippedSetup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.oldguard.Setup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fleet mode's settings: absent by default, checked at load like every other setting. */
class ClusterConfigCheckTest {

    @TempDir
    Path dir;

    @Test
    void theShippedConfigurationRunsAlone() {
        assertThat(Setup.load(Path.of("sidecar.yaml")).config().cluster()).isNull();
    }

    @Test
    void aClusterSectionGetsItsDefaults() throws IOException {
        Path config = withCluster("  redis: redis://127.0.0.1:6379\n");

        ClusterConfig cluster = Setup.load(config).config().cluster();

        assertThat(cluster.redis()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(cluster.timeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(cluster.fallback()).isEqualTo("local");
        assertThat(cluster.localShare()).isEqualTo(0.25);
    }

    @Test
    void refusesAPasswordInTheUrl() throws IOException {
        Path config = withCluster("  redis: redis://:secret@127.0.0.1:6379\n");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p).contains("cluster.redis").contains("passwordEnv or passwordFile"));
    }

    @Test
    void refusesAnUnknownFallbackAndAShareAboveOne() throws IOException {
        Path config = withCluster("  redis: redis://127.0.0.1:6379\n  fallback: ignore\n  localShare: 2\n");

        assertThat(problems(config))
                .anySatisfy(p -> assertThat(p).contains("cluster.fallback").contains("expected local or refuse"))
                .anySatisfy(p -> assertThat(p).contains("cluster.localShare").contains("at most 1.0"));
    }

    @Test
    void refusesATimeoutThatWouldHoldCalls() throws IOException {
        Path config = withCluster("  redis: redis://127.0.0.1:6379\n  timeout: 10s\n");

        assertThat(problems(config)).anySatisfy(p -> assertThat(p).contains("cluster.timeout").contains("shorter than 5s"));
    }

    private Path withCluster(String body) throws IOException {
        Path config = copyOfShippedSetup(dir);
        Files.writeString(config, "\ncluster:\n" + body, StandardOpenOption.APPEND);
        return config;
    }

    private static java.util.List<String> problems(Path config) {
        return catchThrowableOfType(ConfigException.class, () -> Setup.load(config)).problems();
    }
}
