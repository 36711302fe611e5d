package io.oldguard.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * The agent port (tool calls) and the admin port (health, metrics), each served by its own event loop group.
 * Their connection caps differ: the agent port serves its pod's agents (a few connections each, MCP streams
 * included), the admin port only probes, a Prometheus scraper and an operator.
 */
public record Listeners(@NotNull @Valid Listener agent, @NotNull @Valid Listener admin) {

    public static final int AGENT_MAX_CONNECTIONS = 1024;
    public static final int ADMIN_MAX_CONNECTIONS = 64;
    public static final Duration AGENT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration ADMIN_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    public Listeners {
        agent = (agent == null ? new Listener(null, 8080) : agent).orDefaults(AGENT_MAX_CONNECTIONS, AGENT_REQUEST_TIMEOUT);
        admin = (admin == null ? new Listener(null, 9901) : admin).orDefaults(ADMIN_MAX_CONNECTIONS, ADMIN_REQUEST_TIMEOUT);
    }

    public static Listeners defaults() {
        return new Listeners(null, null);
    }

    public static Listeners ephemeral() {
        return new Listeners(new Listener("127.0.0.1", 0), new Listener("127.0.0.1", 0));
    }
}
