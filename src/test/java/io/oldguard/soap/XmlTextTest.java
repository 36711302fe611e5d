package io.oldguard.soap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text escaped for an envelope: markup escaped, characters XML 1.0 cannot carry dropped, the rest as it was. */
class XmlTextTest {

    @Test
    void plainTextIsCopiedAsItIs() {
        assertThat(escaped("http://legacy.example.com/inventory/2008")).isEqualTo("http://legacy.example.com/inventory/2008");
        assertThat(escaped("")).isEmpty();
        assertThat(escaped("é ü 😀\ttab")).isEqualTo("é ü 😀\ttab");
    }

    @Test
    void markupIsEscapedWhereverItIs() {
        assertThat(escaped("<a href=\"x\">Tom & 'Jerry'</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;");
        assertThat(escaped("abc&")).isEqualTo("abc&amp;");
        assertThat(escaped("&abc")).isEqualTo("&amp;abc");
    }

    @Test
    void charactersXmlCannotCarryAreDroppedButWhitespaceIsKept() {
        assertThat(escaped("a\u0000b\u0001c\u001Fd")).isEqualTo("abcd");
        assertThat(escaped("a\tb\nc\rd")).isEqualTo("a\tb\nc\rd");
        assertThat(escaped("a\uFFFEb\uFFFFc")).isEqualTo("abc");
        assertThat(escaped("ok\u0000<")).isEqualTo("ok&lt;");
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder("[");
        XmlText.escape(text, out);
        return out.substring(1);
    }
}
