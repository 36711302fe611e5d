package io.oldguard.halt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.config.ConfigException;
import io.oldguard.testing.LogCapture;
import io.oldguard.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaltRegistryTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));

    @Test
    void haltsAreReadBackByANewRegistry() {
        Path file = dir.resolve("state/halts.json");
        HaltRegistry first = HaltRegistry.open(file, clock, new SimpleMeterRegistry());
        first.halt(new Halt("bot", Halt.MANUAL, "halted by an operator: test", clock.instant(), null, null, null, null, "v1"));

        HaltRegistry second = HaltRegistry.open(file, clock, new SimpleMeterRegistry());

        assertThat(second.current("bot")).hasValueSatisfying(h -> {
            assertThat(h.reason()).isEqualTo(Halt.MANUAL);
            assertThat(h.since()).isEqualTo(clock.instant());
        });
    }

    @Test
    void eachHaltReadBackAtStartIsLogged() {
        Path file = dir.resolve("halts.json");
        HaltRegistry.open(file, clock, new SimpleMeterRegistry())
                .halt(new Halt("bot", Halt.MANUAL, "halted by an operator: test", clock.instant(), null, null, null, null, "v1"));

        try (LogCapture log = new LogCapture("oldguard.halts")) {
            HaltRegistry.open(file, clock, new SimpleMeterRegistry());

            assertThat(log.events()).map(ILoggingEvent::getFormattedMessage)
                    .containsExactly("agent bot is still halted (manual, since 2026-11-29T10:00:00Z): restored from " + file);
        }
    }

    @Test
    void aReleaseIsPersistedToo() {
        Path file = dir.resolve("halts.json");
        HaltRegistry first = HaltRegistry.open(file, clock, new SimpleMeterRegistry());
        first.halt(new Halt("bot", Halt.MANUAL, "x", clock.instant(), null, null, null, null, "v1"));
        first.release("bot", "test");

        assertThat(HaltRegistry.open(file, clock, new SimpleMeterRegistry()).current("bot")).isEmpty();
    }

    @Test
    void aSecondHaltKeepsTheFirst() {
        HaltRegistry registry = HaltRegistry.open(dir.resolve("halts.json"), clock, new SimpleMeterRegistry());
        Halt first = registry.halt(new Halt("bot", Halt.INVALID_ARGUMENTS, "first", clock.instant(), null, "GetStock", "r1", null, "v1"));

        Halt kept = registry.halt(new Halt("bot", Halt.ERROR_STREAK, "second", clock.instant(), null, "GetStock", "r2", null, "v1"));

        assertThat(kept).isEqualTo(first);
    }

    @Test
    void anOperatorsHaltReplacesOneThatWouldLiftByItself() {
        HaltRegistry registry = HaltRegistry.open(dir.resolve("halts.json"), clock, new SimpleMeterRegistry());
        registry.halt(new Halt("bot", Halt.INVALID_ARGUMENTS, "x", clock.instant(), clock.instant().plusSeconds(60), "GetStock", "r1", null, "v1"));

        registry.haltByOperator(new Halt("bot", Halt.MANUAL, "runaway", clock.instant(), null, null, null, null, "v1"));
        clock.advance(java.time.Duration.ofMinutes(5));

        assertThat(registry.current("bot")).hasValueSatisfying(h -> assertThat(h.reason()).isEqualTo(Halt.MANUAL));
    }

    @Test
    void anUnreadableFileRefusesToStartRatherThanFreeAgents() throws Exception {
        Path file = dir.resolve("halts.json");
        Files.writeString(file, "{ this is not the halts file");

        assertThatThrownBy(() -> HaltRegistry.open(file, clock, new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("refusing to start");
    }
}
