package io.oldguard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The side-by-side table the demo ends with, from the figures one run measured. */
class ContainmentTableTest {

    private final ArmFigures with = new ArmFigures(Duration.ofSeconds(10), 100, 0, 4_990, 4_989, 1, 10, 2, 100, 100);
    private final ArmFigures without = new ArmFigures(Duration.ofSeconds(3), 1_328, 1_300, 1_300, 0, 1_300, 514, 9, 30, 29);

    @Test
    void putsEachFigureBesideItsCounterpart() {
        List<String> lines = ContainmentTable.lines(with, without);

        assertThat(lines.get(0)).contains("with oldguard").contains("without oldguard");
        assertThat(lines.get(1)).contains("10 s").contains("3 s, straight at the service");
        assertThat(row(lines, ContainmentTable.RECEIVED)).containsSubsequence("100", "1,328");
        assertThat(row(lines, ContainmentTable.INVALID)).containsSubsequence("0", "1,300");
        assertThat(row(lines, ContainmentTable.PEAK_RATE)).containsSubsequence("10/s", "514/s");
        assertThat(row(lines, ContainmentTable.PEAK_CONNECTIONS)).containsSubsequence("2", "9");
    }

    @Test
    void countsTheCallsBeforeTheHaltOrSaysThereWasNone() {
        assertThat(row(ContainmentTable.lines(with, without), ContainmentTable.BEFORE_HALT))
                .containsSubsequence(" 1 ", "never halted: 1,300 calls");
    }

    @Test
    void roundsASuccessRateDownSoThatOnlyEverySuccessReads100() {
        assertThat(row(ContainmentTable.lines(with, without), ContainmentTable.OTHERS))
                .containsSubsequence("100 % (100 of 100)", "96 % (29 of 30)");
    }

    @Test
    void columnsLineUp() {
        List<String> lines = ContainmentTable.lines(with, without);
        int column = lines.get(0).indexOf("without oldguard");

        assertThat(lines.subList(1, lines.size())).allSatisfy(line -> assertThat(line.charAt(column - 1)).isEqualTo(' '));
        assertThat(row(lines, ContainmentTable.INVALID).indexOf("1,300")).isEqualTo(column);
    }

    private static String row(List<String> lines, String label) {
        return lines.stream().filter(line -> line.contains(label)).findFirst().orElseThrow();
    }
}
