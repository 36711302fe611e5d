package io.oldguard.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * Traffic capture ({@code capture:} in {@code sidecar.yaml}): every decoded call appended to a JSON-lines file, for
 * {@code oldguard check --replay}. Absent, nothing is recorded.
 *
 * @param file         the file written to (a volume in Kubernetes); rotated copies are {@code file.1}, {@code file.2}, …
 * @param maxFileBytes size at which the file is rotated
 * @param maxFiles     rotated copies kept besides the file itself; older ones are deleted
 * @param queue        lines waiting to be written at most; a line that finds the queue full is dropped and counted
 * @param keyEnv       environment variable holding the key that sensitive parameters are hashed with, or
 * @param keyFile      a file holding it (a mounted Secret)
 */
public record CaptureConfig(
        @NotBlank String file,
        @NotNull @Min(value = 4096, message = "must be at least 4096") Long maxFileBytes,
        @NotNull @Min(0) @Max(100) Integer maxFiles,
        @NotNull @Min(1) @Max(1_000_000) Integer queue,
        String keyEnv,
        String keyFile) {

    public CaptureConfig {
        maxFileBytes = maxFileBytes == null ? Long.valueOf(64L * 1024 * 1024) : maxFileBytes;
        maxFiles = maxFiles == null ? Integer.valueOf(5) : maxFiles;
        queue = queue == null ? Integer.valueOf(10_000) : queue;
    }
}
