package io.oldguard.policy;

import java.time.Duration;

/**
 * What a policy says about one tool.
 *
 * @param timeout the tool's deadline; null means the backend's default
 */
public record ToolPolicy(Duration timeout) {
}
