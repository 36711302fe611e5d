package io.oldguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which log format a process writes: asked for, or chosen by whether a person is watching. */
class LogFormatTest {

    @Test
    void writesJsonWhenNobodyIsWatchingAsInAPod() {
        assertThat(LogFormat.resolve(null, false)).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.resolve("", false)).isEqualTo(LogFormat.JSON);
    }

    @Test
    void writesTextAtATerminalWhenNoFormatIsAskedFor() {
        assertThat(LogFormat.resolve(null, true)).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void theFormatAskedForWinsWhereverTheLinesGo() {
        assertThat(LogFormat.resolve("json", true)).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.resolve("TEXT", false)).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.resolve(" text ", false).appender()).isEqualTo("text");
    }

    @Test
    void refusesAnUnknownFormatSayingWhatIsExpected() {
        assertThatThrownBy(() -> LogFormat.resolve("pretty", true))
                .hasMessage("OLDGUARD_LOG_FORMAT=pretty (expected: json or text)");
    }

    @Test
    void theCliStopsOnAnUnknownFormatBeforeLoggingAnything() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String before = System.getProperty(LogFormat.PROPERTY);
        System.setProperty(LogFormat.PROPERTY, "pretty");
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            // Only when the environment does not ask already (it wins over the property).
            if (System.getenv(LogFormat.ENV) == null) {
                assertThat(Main.run(new String[] {"tools"})).isEqualTo(2);
                assertThat(err.toString(StandardCharsets.UTF_8)).contains("pretty (expected: json or text)");
            }
        } finally {
            System.setErr(originalErr);
            if (before == null) {
                System.clearProperty(LogFormat.PROPERTY);
            } else {
                System.setProperty(LogFormat.PROPERTY, before);
            }
        }
    }
}
