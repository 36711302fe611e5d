package io.oldguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BrokenCopies;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void exitsZeroOnTheShippedFiles() {
        assertThat(Main.run(new String[] {"check"})).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("ok: sidecar.yaml — 5 tools");
    }

    @Test
    void exitsOneWithOneLinePerProblem() {
        Path config = BrokenCopies.copyOfShippedSetup(dir);
        BrokenCopies.replace(config, "port: 9901", "port: -1");

        assertThat(Main.run(new String[] {"check", "--config", config.toString()})).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("error: " + config + ":6: listeners.admin.port: must be greater than or equal to 0")
                .contains("1 problem(s) found");
    }

    @Test
    void toolsPrintsTheGeneratedSchemas() {
        assertThat(Main.run(new String[] {"tools", "--format", "openai"})).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"type\" : \"function\"").contains("\"ItemID\"");
    }

    @Test
    void unknownCommandExitsTwo() {
        assertThat(Main.run(new String[] {"frobnicate"})).isEqualTo(2);
    }
}
