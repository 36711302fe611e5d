package io.oldguard.cli;

/** Lets tests in other packages run the CLI in-process, as {@code oldguard <args>} would, without exiting. */
public final class MainAccess {

    private MainAccess() {
    }

    public static int run(String... args) {
        return Main.run(args);
    }
}
