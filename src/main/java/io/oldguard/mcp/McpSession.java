package io.oldguard.mcp;

import java.time.Instant;

/**
 * One MCP session: opened by {@code initialize}, owned by the agent whose token opened it, speaking the protocol
 * version negotiated then.
 *
 * @param lastUsed when a request last named it; a session idle too long is dropped
 */
record McpSession(String id, String agent, String protocolVersion, Instant lastUsed) {

    McpSession touched(Instant now) {
        return new McpSession(id, agent, protocolVersion, now);
    }
}
