package io.oldguard.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Copies the shipped sidecar.yaml, wsdl/ and policies/ into a temporary folder, where a test breaks one file. */
public final class BrokenCopies {

    private BrokenCopies() {
    }

    public static Path copyOfShippedSetup(Path target) {
        try {
            Files.copy(Path.of("sidecar.yaml"), target.resolve("sidecar.yaml"));
            for (String dir : new String[] {"wsdl", "policies"}) {
                Files.createDirectories(target.resolve(dir));
                try (Stream<Path> files = Files.list(Path.of(dir))) {
                    for (Path f : files.toList()) {
                        Files.copy(f, target.resolve(dir).resolve(f.getFileName()));
                    }
                }
            }
            return target.resolve("sidecar.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void replace(Path file, String from, String to) {
        try {
            String text = Files.readString(file);
            if (!text.contains(from)) {
                throw new IllegalArgumentException(file + " does not contain " + from);
            }
            Files.writeString(file, text.replace(from, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
