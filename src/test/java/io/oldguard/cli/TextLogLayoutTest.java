package io.oldguard.cli;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

/** The text log format: one short line per event, CRITICAL ones marked. */
class TextLogLayoutTest {

    private final Logger logger = new LoggerContext().getLogger("oldguard.audit");
    private final TextLogLayout layout = new TextLogLayout();

    @Test
    void aCallIsOneLineWithItsStatusAndLatency() {
        String line = layout.doLayout(event(Level.INFO, "{} {} -> {}", null, "support-bot", "GetStock", "ok",
                kv("event", "call"), kv("agent", "support-bot"), kv("status", 200), kv("latencyMs", 11)));

        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  support-bot GetStock -> ok \\(200, 11 ms\\)\\R");
    }

    @Test
    void aCriticalEventSaysCriticalWhereTheLevelStandsAndIsFramed() {
        String line = layout.doLayout(event(Level.ERROR, "CRITICAL agent {} halted: invalid arguments for {}", null,
                "promo-bot", "GetStock", kv("severity", "CRITICAL"), kv("event", "agent.halted")));

        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} CRITICAL !!! agent promo-bot halted: invalid arguments for"
                + " GetStock !!!\\R");
    }

    @Test
    void anEventWithoutFieldsIsItsLevelAndMessage() {
        assertThat(layout.doLayout(event(Level.WARN, "agent {} released by operator", null, "support-bot")))
                .endsWith(" WARN  agent support-bot released by operator" + System.lineSeparator());
    }

    @Test
    void anExceptionFollowsOnTheNextLines() {
        String text = layout.doLayout(event(Level.ERROR, "unexpected failure", new IllegalStateException("boom")));

        assertThat(text).contains(" ERROR unexpected failure" + System.lineSeparator()
                + "java.lang.IllegalStateException: boom");
    }

    private LoggingEvent event(Level level, String message, Throwable thrown, Object... arguments) {
        return new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, arguments);
    }
}
