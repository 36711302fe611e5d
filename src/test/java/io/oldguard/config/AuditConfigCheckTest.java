package io.oldguard.config;

import static io.oldguard.config.BrokenCopies.copyOfShippedSetup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.oldguard.Setup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which allowed calls get an audit line: a sample by default, checked at load like every other setting. */
class AuditConfigCheckTest {

    @TempDir
    Path dir;

    @Test
    void theShippedConfigurationAuditsOneAllowedCallInAHundred() {
        AuditConfig audit = Setup.load(Path.of("sidecar.yaml")).config().audit();

        assertThat(audit.allowed()).isEqualTo("sample");
        assertThat(audit.sampleRate()).isEqualTo(0.01);
    }

    @Test
    void readsEveryOption() throws IOException {
        for (String option : new String[] {"all", "sample", "none"}) {
            Path config = withAudit(Files.createDirectories(dir.resolve(option)), "  allowed: " + option + "\n");

            assertThat(Setup.load(config).config().audit().allowed()).isEqualTo(option);
        }
    }

    @Test
    void refusesAnUnknownOptionAndARateAboveOne() throws IOException {
        Path config = withAudit(dir, "  allowed: some\n  sampleRate: 5\n");

        assertThat(catchThrowableOfType(ConfigException.class, () -> Setup.load(config)).problems())
                .anySatisfy(p -> assertThat(p).contains("audit.allowed").contains("expected all, sample or none"))
                .anySatisfy(p -> assertThat(p).contains("audit.sampleRate").contains("at most 1.0"));
    }

    /** The copy of the shipped file with its audit section replaced. */
    private static Path withAudit(Path dir, String body) throws IOException {
        Path config = copyOfShippedSetup(dir);
        String text = Files.readString(config);
        int at = text.indexOf("\naudit:");
        int end = text.indexOf("\n\n", at + 1);
        Files.writeString(config, text.substring(0, at) + "\naudit:\n" + body + (end < 0 ? "" : text.substring(end)));
        return config;
    }
}
