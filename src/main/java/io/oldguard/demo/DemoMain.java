package io.oldguard.demo;

import io.oldguard.cli.LogFormat;
import io.oldguard.cli.Main;
import java.util.Map;

/**
 * Entry point of the demo distribution ({@code oldguard-demo.jar} beside {@code oldguard.jar}): the sidecar's commands
 * plus {@code demo} and {@code simulator}, whose embedded PostgreSQL and Jetty stay out of the sidecar's image.
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) {
        if (LogFormat.asked() == null) {
            // The demo is read by a person: one short line per event, unless OLDGUARD_LOG_FORMAT asks for JSON.
            // Set before the first logger exists, which is when logback reads its configuration.
            System.setProperty(LogFormat.PROPERTY, "text");
        }
        int code = run(args);
        Main.stopLogging();
        System.exit(code);
    }

    /** Runs one command of the demo distribution and returns its exit code. */
    public static int run(String[] args) {
        return Main.run(args, Map.of("demo", DemoCommand::run, "simulator", SimulatorCommand::run));
    }
}
