package io.oldguard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a policy folder for one test, for limits the shipped policy does not set. */
public final class TestPolicies {

    private TestPolicies() {
    }

    public static String folderWith(String yaml) {
        try {
            Path dir = Files.createTempDirectory("oldguard-policies");
            Files.writeString(dir.resolve("test.yaml"), yaml);
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
