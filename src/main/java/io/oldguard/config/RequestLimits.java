package io.oldguard.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Bounds on what an agent may send, so hostile or broken input costs a bounded amount.
 *
 * @param maxBodyBytes largest request body accepted (default 1 MiB); larger gets 413 before it is read in full
 * @param maxJsonDepth deepest JSON nesting accepted (default 16); tool arguments are flat, so this is generous
 * @param idleTimeout  a connection that sends nothing for this long is closed (slow-loris protection)
 */
public record RequestLimits(
        @Min(1024) @Max(16 * 1024 * 1024) int maxBodyBytes,
        @Min(2) @Max(256) int maxJsonDepth,
        @NotNull Duration idleTimeout) {

    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    @JsonCreator
    public RequestLimits(Integer maxBodyBytes, Integer maxJsonDepth, Duration idleTimeout) {
        this(maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes.intValue(),
                maxJsonDepth == null ? 16 : maxJsonDepth.intValue(),
                idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout);
    }

    public static RequestLimits defaults() {
        return new RequestLimits((Integer) null, null, null);
    }
}
