package io.oldguard.cli;

import java.io.Console;

/** Whether a person is watching: standard input and output are a terminal, not a pipe, a file or a pod's log. */
public final class Terminal {

    private Terminal() {
    }

    public static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        // From JDK 22 a Console exists even when redirected, and isTerminal() tells; before, a Console meant a terminal.
        // The code targets Java 21, so the method is looked up rather than called.
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
