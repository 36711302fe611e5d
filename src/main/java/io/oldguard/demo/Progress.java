package io.oldguard.demo;

import java.io.PrintStream;

/**
 * The storm's live line. On a terminal it is rewritten in place once a second; anywhere else (a file, a pipe, a test)
 * each second is a line of its own, so a transcript reads the same.
 */
final class Progress {

    private final PrintStream out;
    private final boolean inPlace;
    private boolean open;

    Progress(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    synchronized void show(String line) {
        if (inPlace) {
            // Back to the line's start, the new text, then erase what a longer previous text left behind.
            out.print("\r" + line + "\033[K");
            open = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the line rewritten in place, so what follows starts on a line of its own. */
    synchronized void done() {
        if (open) {
            out.println();
            open = false;
        }
    }
}
