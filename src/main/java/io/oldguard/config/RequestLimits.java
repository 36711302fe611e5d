package io.oldguard.config;

import jakarta.validation.Valid;
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
 * @param xml          bounds on SOAP envelopes sent to the passthrough
 * @param mcp          bounds on MCP batches and notification streams
 */
public record RequestLimits(
        @NotNull @Min(1024) @Max(16 * 1024 * 1024) Integer maxBodyBytes,
        @NotNull @Min(2) @Max(256) Integer maxJsonDepth,
        @NotNull Duration idleTimeout,
        @NotNull @Valid XmlLimits xml,
        @NotNull @Valid McpLimits mcp) {

    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    public RequestLimits {
        maxBodyBytes = maxBodyBytes == null ? Integer.valueOf(DEFAULT_MAX_BODY_BYTES) : maxBodyBytes;
        maxJsonDepth = maxJsonDepth == null ? Integer.valueOf(16) : maxJsonDepth;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
        xml = xml == null ? XmlLimits.defaults() : xml;
        mcp = mcp == null ? McpLimits.defaults() : mcp;
    }

    public RequestLimits withMaxBodyBytes(int bytes) {
        return new RequestLimits(bytes, maxJsonDepth, idleTimeout, xml, mcp);
    }

    public RequestLimits withMcp(McpLimits limits) {
        return new RequestLimits(maxBodyBytes, maxJsonDepth, idleTimeout, xml, limits);
    }

    public static RequestLimits defaults() {
        return new RequestLimits(null, null, null, null, null);
    }
}
