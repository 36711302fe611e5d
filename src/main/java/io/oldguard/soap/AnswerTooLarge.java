package io.oldguard.soap;

import java.io.IOException;

/** The legacy service's answer was larger than oldguard accepts: a broken or hostile backend. */
final class AnswerTooLarge extends IOException {

    AnswerTooLarge(long max) {
        super("the answer is larger than " + max + " bytes");
    }
}
