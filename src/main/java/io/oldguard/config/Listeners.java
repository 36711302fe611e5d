package io.oldguard.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The agent port (tool calls) and the admin port (health, metrics), each served by its own event loop group. */
public record Listeners(@NotNull @Valid Listener agent, @NotNull @Valid Listener admin) {

    public Listeners {
        agent = agent == null ? new Listener(null, 8080) : agent;
        admin = admin == null ? new Listener(null, 9901) : admin;
    }

    public static Listeners defaults() {
        return new Listeners(null, null);
    }

    public static Listeners ephemeral() {
        return new Listeners(new Listener("127.0.0.1", 0), new Listener("127.0.0.1", 0));
    }
}
