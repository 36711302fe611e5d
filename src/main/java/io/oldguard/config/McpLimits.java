package io.oldguard.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Bounds on what one agent can make the MCP endpoint hold or produce, whatever its rate limit: a batch is answered
 * as one body, and a notification stream is an open connection for as long as the client keeps it.
 *
 * @param maxBatchMessages   messages in one JSON-RPC batch (2025-03-26 sessions); a larger batch is refused whole
 * @param maxStreamsPerAgent notification streams (GET /mcp) one agent may hold open across its sessions
 */
public record McpLimits(
        @NotNull @Min(1) @Max(1000) Integer maxBatchMessages,
        @NotNull @Min(1) @Max(1000) Integer maxStreamsPerAgent) {

    public McpLimits {
        maxBatchMessages = maxBatchMessages == null ? Integer.valueOf(20) : maxBatchMessages;
        maxStreamsPerAgent = maxStreamsPerAgent == null ? Integer.valueOf(8) : maxStreamsPerAgent;
    }

    public static McpLimits defaults() {
        return new McpLimits(null, null);
    }
}
