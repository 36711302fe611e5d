package io.oldguard.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written lexical checks accept exactly what the XSD-like patterns they replace accept. */
class ParamValuesTest {

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final List<String> SAMPLES = List.of("", "-", "0", "42", "-42", "007", " 42", "42 ", "+42", "4-2",
            "--4", "4.2", "-4.2", "4.", ".2", "-.2", "4..2", "4.2.1", "1e3", "٤٢", "４２", "42x", "x42", "-0", "0.0",
            "12345678901234567890123", "9.", "-9.x", "1.2 ");

    @Test
    void integersAreExactlyOptionalMinusAndAsciiDigits() {
        for (String s : SAMPLES) {
            assertThat(ParamValues.isInteger(s)).as("\"%s\"", s).isEqualTo(INTEGER.matcher(s).matches());
        }
    }

    @Test
    void decimalsAreExactlyOptionalMinusDigitsAndAnOptionalFraction() {
        for (String s : SAMPLES) {
            assertThat(ParamValues.isDecimal(s)).as("\"%s\"", s).isEqualTo(DECIMAL.matcher(s).matches());
        }
    }
}
