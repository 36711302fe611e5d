package io.oldguard.soap;

/** Text inside XML elements and attributes, written by hand where a serialiser would cost more than it gives. */
public final class XmlText {

    private XmlText() {
    }

    /** Escapes markup and drops characters XML 1.0 cannot carry, so no argument can break the envelope. */
    public static void escape(String text, StringBuilder out) {
        int plain = plainPrefix(text);
        if (plain == text.length()) {
            // Nearly every value (ids, names, the operation's namespace): nothing to escape, copied at once.
            out.append(text);
            return;
        }
        out.append(text, 0, plain);
        for (int i = plain; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        if (c != 0xFFFE && c != 0xFFFF) {
                            out.append(c);
                        }
                    }
                }
            }
        }
    }

    /** How many leading characters need no escaping and are legal XML 1.0 as they are. */
    private static int plainPrefix(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '"' || c == '\'' || c >= 0xFFFE) {
                return i;
            }
        }
        return text.length();
    }
}
