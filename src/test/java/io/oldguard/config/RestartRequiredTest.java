package io.oldguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An edit that needs a restart is named by the setting that changed, not by the block around it. */
class RestartRequiredTest {

    @TempDir
    Path dir;

    @Test
    void namesTheChangedSettingOfABackend() {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        SidecarConfig running = ConfigLoader.load(config);
        BrokenCopies.replace(config, "maxConnections: 16", "maxConnections: 8");

        assertThat(RestartRequired.between(running, ConfigLoader.load(config)))
                .containsExactly("backends.inventory.maxConnections");
    }

    @Test
    void namesTheChangedPortAndDatabaseSetting() {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        SidecarConfig running = ConfigLoader.load(config);
        BrokenCopies.replace(config, "port: 9901", "port: 9902");
        BrokenCopies.replace(config, "statementTimeout: 5s", "statementTimeout: 4s");

        assertThat(RestartRequired.between(running, ConfigLoader.load(config)))
                .containsExactly("listeners.admin.port", "databases.inventory-db.statementTimeout");
    }

    @Test
    void anEditOfTheLiveSettingsOnlyNeedsNoRestart() {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        SidecarConfig running = ConfigLoader.load(config);
        BrokenCopies.replace(config, "rate: 50/s burst 10", "rate: 5/s burst 10");

        assertThat(RestartRequired.between(running, ConfigLoader.load(config))).isEmpty();
    }
}
