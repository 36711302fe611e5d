package io.oldguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.AuditConfig;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AllowedCallAuditTest {

    @Test
    void allWritesEveryAllowedCall() {
        assertThat(written(new AuditConfig("all", null), 1000)).isEqualTo(1000);
    }

    @Test
    void noneWritesNoAllowedCall() {
        assertThat(written(new AuditConfig("none", null), 1000)).isZero();
    }

    @Test
    void aSampleOfOneInAHundredWritesTheFirstCallThenEveryHundredth() {
        AllowedCallAudit audit = AllowedCallAudit.of(new AuditConfig("sample", 0.01));

        boolean[] writes = new boolean[1000];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = audit.writes();
        }

        assertThat(IntStream.range(0, writes.length).filter(i -> writes[i]).toArray())
                .containsExactly(0, 100, 200, 300, 400, 500, 600, 700, 800, 900);
    }

    @Test
    void aSampleRateOfAQuarterWritesAQuarter() {
        assertThat(written(new AuditConfig("sample", 0.25), 1000)).isEqualTo(250);
    }

    @Test
    void theDefaultIsASampleOfOneInAHundred() {
        AuditConfig defaults = AuditConfig.defaults();

        assertThat(defaults.allowed()).isEqualTo("sample");
        assertThat(defaults.sampleRate()).isEqualTo(0.01);
    }

    private static long written(AuditConfig config, int calls) {
        AllowedCallAudit audit = AllowedCallAudit.of(config);
        return IntStream.range(0, calls).filter(i -> audit.writes()).count();
    }
}
