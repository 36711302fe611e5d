package io.oldguard.passthrough;

import com.ctc.wstx.util.SymbolTable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parser's table of element and attribute names, one per envelope, in place of Woodstox's own.
 *
 * <p>Woodstox's table hashes a name the way {@link String#hashCode} does, salted on the first character only, and
 * chains colliding names in one bucket that every lookup walks. Names built to collide ("Aa" and "BB" hash alike,
 * so does every string of them) turn reading into quadratic work: 10,000 such element names took 0.6 s, and
 * 64 distinct ones sharing a 200-character prefix, repeated 10,000 times, 90 ms. A {@link HashMap} keeps colliding
 * String keys in a balanced tree, so a name costs a logarithmic number of comparisons instead. Woodstox also merges
 * each reader's new names into its factory's table, where one envelope's names would slow every later one; a
 * table of its own per envelope, never marked dirty, is never merged.
 *
 * <p>Names are interned, as Woodstox's are: it compares prefixes such as {@code xmlns} by identity. Interning costs a
 * call into the JVM's string table, 1.5 % of the passthrough's CPU when done for every name of every envelope, so
 * names already interned are kept in one table shared by all envelopes: most envelopes use the same few dozen. It
 * is bounded in count and in name length, so made-up names fill it once and then cost what they did before;
 * colliding names stay logarithmic there too, since a {@link ConcurrentHashMap} also keeps String keys in a tree.
 *
 * <p>In front of that table, a small array holds shared names by the scanner's hash, one name a slot: a name found
 * there costs a comparison of its characters, no new String and no map lookup (both were about 0.7 % of the
 * passthrough's CPU at saturation, BENCHMARKS.md 2026-12-06). Names made to collide there only evict each other;
 * every miss takes the path above.
 */
final class EnvelopeNames extends SymbolTable {

    static final int SHARED_MAX_NAMES = 4096;
    static final int SHARED_MAX_LENGTH = 64;
    private static final Map<String, String> SHARED = new ConcurrentHashMap<>();
    /** Shared names by slot; written by any event loop unsynchronised, which is safe for immutable Strings. */
    private static final String[] RECENT = new String[1024];

    private final Map<String, String> names = new HashMap<>();

    EnvelopeNames() {
        super(true, 16);
    }

    @Override
    public SymbolTable makeChild() {
        return new EnvelopeNames();
    }

    /** The hash the scanner computed is ignored: it is the one an attacker can make collide. */
    @Override
    public String findSymbol(char[] buffer, int start, int len, int hash) {
        if (len < 1) {
            return "";
        }
        int slot = (hash ^ (hash >>> 16)) & (RECENT.length - 1);
        String recent = RECENT[slot];
        if (recent != null && sameChars(recent, buffer, start, len)) {
            return recent;
        }
        String name = new String(buffer, start, len);
        String known = SHARED.get(name);
        if (known != null) {
            RECENT[slot] = known;
            return known;
        }
        known = names.get(name);
        if (known == null) {
            known = name.intern();
            names.put(known, known);
            if (len <= SHARED_MAX_LENGTH && SHARED.size() < SHARED_MAX_NAMES && SHARED.putIfAbsent(known, known) == null) {
                RECENT[slot] = known;
            }
        }
        return known;
    }

    private static boolean sameChars(String name, char[] buffer, int start, int len) {
        if (name.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (name.charAt(i) != buffer[start + i]) {
                return false;
            }
        }
        return true;
    }
}
