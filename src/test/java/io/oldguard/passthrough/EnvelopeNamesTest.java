package io.oldguard.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The parser's name table: every name comes back as the JVM's interned string, whether the shared table has it. */
class EnvelopeNamesTest {

    @Test
    void aNameIsTheInternedStringInEveryEnvelope() {
        String first = find(new EnvelopeNames(), "  Envelope ", 2, 8);
        String second = find(new EnvelopeNames(), "Envelope", 0, 8);

        assertThat(first).isEqualTo("Envelope").isSameAs("Envelope").isSameAs(second);
    }

    @Test
    void namesPastTheSharedTablesBoundsAreStillInterned() {
        // More distinct names than the shared table keeps, then names longer than it keeps: Woodstox compares
        // names by identity, so each must still be the interned instance.
        String prefix = "made-up-" + System.nanoTime() + "-";
        for (int i = 0; i <= EnvelopeNames.SHARED_MAX_NAMES; i++) {
            String name = prefix + i;
            assertThat(find(new EnvelopeNames(), name, 0, name.length())).isSameAs(name.intern());
        }
        String longName = "x".repeat(EnvelopeNames.SHARED_MAX_LENGTH + 1) + System.nanoTime();
        EnvelopeNames table = new EnvelopeNames();
        assertThat(find(table, longName, 0, longName.length())).isSameAs(longName.intern())
                .isSameAs(find(new EnvelopeNames(), longName, 0, longName.length()));
        assertThat(find(table, "", 0, 0)).isEmpty();
    }

    @Test
    void namesThatShareASlotOfTheRecentNamesAreNeverMistakenForEachOther() {
        // The scanner's hash picks the slot; an attacker can make every name land in one. Each lookup must still
        // return its own name, including one that is a prefix of the name in the slot.
        String[] names = {"Envelope", "Body", "Bod", "Envelopes", "Body", "Envelope", "GetStockRequest", "Bod"};
        for (int round = 0; round < 3; round++) {
            for (String name : names) {
                char[] chars = ("<" + name + ">").toCharArray();
                assertThat(new EnvelopeNames().findSymbol(chars, 1, name.length(), 42)).isEqualTo(name).isSameAs(name.intern());
            }
        }
    }

    private static String find(EnvelopeNames table, String text, int start, int length) {
        return table.findSymbol(text.toCharArray(), start, length, 0);
    }
}
