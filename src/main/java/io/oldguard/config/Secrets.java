package io.oldguard.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** Reads a secret named by {@code tokenEnv} or {@code tokenFile}; callers keep only its hash. */
public final class Secrets {

    private static final MessageDigest SHA256 = sha256Instance();

    /** Shortest bearer token accepted, for agents and the admin API alike. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private Secrets() {
    }

    /**
     * @param what what the secret is, for the message ("the agent's bearer token")
     * @throws IllegalArgumentException naming the variable or file and what was expected
     */
    public static String read(SidecarConfig config, String tokenEnv, String tokenFile, Map<String, String> env, String what) {
        if (tokenEnv != null && !tokenEnv.isBlank()) {
            String value = env.get(tokenEnv);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("environment variable " + tokenEnv
                        + " named by tokenEnv is not set (expected " + what + ")");
            }
            return value.strip();
        }
        Path file = config.resolve(tokenFile);
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("tokenFile " + file + " cannot be read (expected a file holding " + what + ")");
        }
    }

    public static String sha256(String secret) {
        byte[] digest = newSha256().digest(secret.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }

    /**
     * A copy of one digest made at start-up: every request hashes its bearer token, and the provider lookup of
     * {@code MessageDigest.getInstance} cost as much as the hashing (BENCHMARKS.md, 2026-12-06).
     */
    private static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return sha256Instance();
        }
    }

    private static MessageDigest sha256Instance() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
