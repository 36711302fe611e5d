package io.oldguard.passthrough;

import io.oldguard.guard.Refusals;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Set;

/**
 * The charsets an envelope may come in: those every legacy stack decodes alike. Anything more exotic is where
 * a parser differential hides (oldguard reading one text, the service another), so it is refused.
 */
final class PassthroughCharsets {

    private static final Set<Charset> ACCEPTED = Set.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16,
            StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.ISO_8859_1, StandardCharsets.US_ASCII);

    private PassthroughCharsets() {
    }

    /** The accepted charset of this name (any alias, any case). */
    static Charset named(String name) throws EnvelopeReader.Refused {
        try {
            Charset charset = Charset.forName(name.strip());
            if (ACCEPTED.contains(charset)) {
                return charset;
            }
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            // Refused below, like a known but unaccepted one.
        }
        throw new EnvelopeReader.Refused(Refusals.unsupportedCharset(name));
    }
}
