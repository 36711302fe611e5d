package io.oldguard.config;

import java.net.URI;
import java.time.Duration;

/**
 * Human approval of risky calls ({@code approvals:} in {@code sidecar.yaml}). Which calls need one is policy; this
 * only says who is told of a new request. Pending and approved requests are kept in {@code approvals.json} next
 * to the halts file.
 *
 * @param webhook        optional http(s) URL that receives each new request as JSON (chat, ticketing)
 * @param webhookTimeout longest a webhook delivery may take; it is never on the call's path either way
 */
public record ApprovalsConfig(URI webhook, Duration webhookTimeout) {

    public ApprovalsConfig {
        webhookTimeout = webhookTimeout == null ? Duration.ofSeconds(2) : webhookTimeout;
    }

    public static ApprovalsConfig defaults() {
        return new ApprovalsConfig(null, null);
    }

    public ApprovalsConfig withWebhook(URI url, Duration timeout) {
        return new ApprovalsConfig(url, timeout);
    }
}
