package io.oldguard.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oldguard.config.Rate;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateTest {

    @Test
    void readsRatesWithAndWithoutBurst() {
        assertThat(Rate.parse("10/s")).isEqualTo(new Rate(10, Duration.ofSeconds(1), 10));
        assertThat(Rate.parse("600/min")).isEqualTo(new Rate(600, Duration.ofMinutes(1), 600));
        assertThat(Rate.parse("50/s burst 5")).isEqualTo(new Rate(50, Duration.ofSeconds(1), 5));
        assertThat(Rate.parse("100 / hour")).isEqualTo(new Rate(100, Duration.ofHours(1), 100));
    }

    @Test
    void refusesWhatIsNotARate() {
        assertThatThrownBy(() -> Rate.parse("10 per second")).hasMessage("expected a rate such as 10/s, 600/min or 50/s burst 10 (got \"10 per second\")");
        assertThatThrownBy(() -> Rate.parse("0/s")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Rate.parse("5/s burst 0")).hasMessageContaining("at least 1");
    }

    @Test
    void printsAsItIsWritten() {
        assertThat(Rate.parse("50/s burst 5")).hasToString("50/s burst 5");
        assertThat(Rate.parse("600/min")).hasToString("600/min");
        assertThat(Rate.parse("10/s").perSecond()).isEqualTo(10.0);
    }
}
