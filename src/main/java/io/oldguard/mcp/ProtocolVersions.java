package io.oldguard.mcp;

import java.util.List;

/**
 * The MCP revisions this server speaks: the newest one the official Java SDK client speaks, and the older ones
 * that define the Streamable HTTP transport served here.
 */
final class ProtocolVersions {

    static final String LATEST = "2025-11-25";
    /**
     * Newest first. 2024-11-05 is absent on purpose: its HTTP transport was the older HTTP+SSE one, which this
     * endpoint does not serve; a client asking for it is offered {@link #LATEST}, as version negotiation says.
     */
    static final List<String> SUPPORTED = List.of(LATEST, "2025-06-18", "2025-03-26");
    /** The one supported revision whose transport allows JSON-RPC batches; 2025-06-18 removed them. */
    private static final String WITH_BATCHES = "2025-03-26";

    private ProtocolVersions() {
    }

    /** The client's version when this server speaks it, otherwise the newest this server speaks. */
    static String negotiate(String requested) {
        return SUPPORTED.contains(requested) ? requested : LATEST;
    }

    static boolean supported(String version) {
        return SUPPORTED.contains(version);
    }

    static boolean allowsBatches(String version) {
        return WITH_BATCHES.equals(version);
    }
}
