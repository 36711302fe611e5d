package io.oldguard.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** One listening socket; port 0 picks a free port (tests). */
public record Listener(@NotBlank String host, @Min(0) @Max(65535) int port) {

    public Listener {
        // A sidecar serves its own pod: loopback unless the operator opens it up on purpose.
        host = host == null ? "127.0.0.1" : host;
    }
}
