package io.oldguard.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;

/**
 * One listening socket; port 0 picks a free port (tests).
 *
 * @param maxConnections connections kept open at most; past it an idle one is closed to make room, or the new one
 *                       is refused, so a flood of connections cannot use up the process's file descriptors
 * @param requestTimeout a request must arrive whole (headers and body) within this long of its first byte, or of
 *                       the connection's opening for its first request; otherwise the connection is closed (slowloris)
 */
public record Listener(@NotBlank String host, @Min(0) @Max(65535) int port,
        @NotNull @Min(1) @Max(100_000) Integer maxConnections,
        @NotNull @DurationMin(millis = 100) Duration requestTimeout) {

    public Listener {
        // A sidecar serves its own pod: loopback unless the operator opens it up on purpose.
        host = host == null ? "127.0.0.1" : host;
    }

    public Listener(String host, int port) {
        this(host, port, null, null);
    }

    /** This listener, its unset limits taken from the defaults of the port it is. */
    Listener orDefaults(int defaultMaxConnections, Duration defaultRequestTimeout) {
        return new Listener(host, port, maxConnections == null ? Integer.valueOf(defaultMaxConnections) : maxConnections,
                requestTimeout == null ? defaultRequestTimeout : requestTimeout);
    }
}
