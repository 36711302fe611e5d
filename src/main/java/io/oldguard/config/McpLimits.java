package io.oldguard.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Bounds on what one agent can make the MCP endpoint hold or produce, whatever its rate limit: a batch is answered
 * as one body, and a notification stream is an open connection for as long as the client keeps it.
 *
 * @param maxBatchMessages   messages in one JSON-RPC batch (2025-03-26 sessions); a larger batch is refused whole
 * @param maxStreamsPerAgent notification streams (GET /mcp) one agent may hold open across its sessions
 * @param sessionIdleTimeout a session no request named for this long ends, and its stream is closed
 */
public record McpLimits(
        @NotNull @Min(1) @Max(1000) Integer maxBatchMessages,
        @NotNull @Min(1) @Max(1000) Integer maxStreamsPerAgent,
        @NotNull Duration sessionIdleTimeout) {

    public McpLimits {
        maxBatchMessages = maxBatchMessages == null ? Integer.valueOf(20) : maxBatchMessages;
        maxStreamsPerAgent = maxStreamsPerAgent == null ? Integer.valueOf(8) : maxStreamsPerAgent;
        sessionIdleTimeout = sessionIdleTimeout == null ? Duration.ofMinutes(30) : sessionIdleTimeout;
    }

    public static McpLimits defaults() {
        return new McpLimits(null, null, null);
    }
}
