package io.oldguard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The storm's live line: rewritten in place at a terminal, a line per second anywhere else. */
class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void atATerminalEachSecondRewritesTheLineAndTheEndClosesIt() {
        Progress progress = new Progress(out, true);
        progress.show("1 s  sent 500");
        progress.show("2 s  sent 1,000");
        progress.done();
        progress.done();

        assertThat(said()).isEqualTo("\r1 s  sent 500\033[K\r2 s  sent 1,000\033[K" + System.lineSeparator());
    }

    @Test
    void elsewhereEachSecondIsALineOfItsOwn() {
        Progress progress = new Progress(out, false);
        progress.show("1 s  sent 500");
        progress.show("2 s  sent 1,000");
        progress.done();

        assertThat(said()).isEqualTo("1 s  sent 500" + System.lineSeparator() + "2 s  sent 1,000" + System.lineSeparator());
    }

    private String said() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
