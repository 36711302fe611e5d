package io.oldguard.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The sidecar's own configuration ({@code sidecar.yaml}) as immutable values. Loaded and checked by
 * {@link ConfigLoader}; secrets are named here (environment variable or file), never held.
 *
 * @param policyWatch how often the policy folder is checked for changes (0ms: never; reload by the admin API)
 * @param cluster     fleet mode: limits, leases and halts shared through Redis; null: this sidecar alone
 * @param capture     every decoded call recorded to a file for {@code oldguard check --replay}; null: none
 * @param approvals   who is told of calls waiting for a human's approval
 * @param audit       which allowed calls get an audit line (refusals always do)
 * @param baseDir     directory the relative paths in the file are resolved against (the file's own directory)
 */
public record SidecarConfig(
        @NotNull @Valid Listeners listeners,
        @NotNull @Valid RequestLimits requests,
        @NotEmpty Map<@Pattern(regexp = NAME, message = NAME_MESSAGE) String, @NotNull @Valid AgentConfig> agents,
        @NotEmpty Map<@Pattern(regexp = NAME, message = NAME_MESSAGE) String, @NotNull @Valid SoapBackendConfig> backends,
        Map<@Pattern(regexp = NAME, message = NAME_MESSAGE) String, @NotNull @Valid DatabaseConfig> databases,
        @NotNull String policies,
        @NotNull Duration policyWatch,
        @NotNull @Valid HaltsConfig halts,
        @NotNull AdminConfig admin,
        @Valid ClusterConfig cluster,
        @Valid CaptureConfig capture,
        @NotNull ApprovalsConfig approvals,
        @NotNull @Valid AuditConfig audit,
        Path baseDir) {

    static final String NAME = "[a-z0-9][a-z0-9-]{0,62}";
    static final String NAME_MESSAGE = "must be lowercase letters, digits and dashes, 1 to 63 characters";

    public SidecarConfig {
        listeners = listeners == null ? Listeners.defaults() : listeners;
        requests = requests == null ? RequestLimits.defaults() : requests;
        agents = agents == null ? Map.of() : Map.copyOf(agents);
        backends = backends == null ? Map.of() : Map.copyOf(backends);
        databases = databases == null ? Map.of() : Map.copyOf(databases);
        policies = policies == null ? "policies" : policies;
        policyWatch = policyWatch == null ? Duration.ofSeconds(1) : policyWatch;
        halts = halts == null ? HaltsConfig.defaults() : halts;
        admin = admin == null ? AdminConfig.none() : admin;
        approvals = approvals == null ? ApprovalsConfig.defaults() : approvals;
        audit = audit == null ? AuditConfig.defaults() : audit;
    }

    public Path policiesDir() {
        return resolve(policies);
    }

    public Path resolve(String relative) {
        return baseDir == null ? Path.of(relative) : baseDir.resolve(relative).normalize();
    }

    public SidecarConfig withListeners(Listeners l) {
        return new SidecarConfig(l, requests, agents, backends, databases, policies, policyWatch, halts, admin, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withRequests(RequestLimits r) {
        return new SidecarConfig(listeners, r, agents, backends, databases, policies, policyWatch, halts, admin, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withAgents(Map<String, AgentConfig> a) {
        return new SidecarConfig(listeners, requests, a, backends, databases, policies, policyWatch, halts, admin, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withBackends(Map<String, SoapBackendConfig> b) {
        return new SidecarConfig(listeners, requests, agents, b, databases, policies, policyWatch, halts, admin, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withDatabases(Map<String, DatabaseConfig> d) {
        return new SidecarConfig(listeners, requests, agents, backends, d, policies, policyWatch, halts, admin, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withHalts(HaltsConfig h) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, policies, policyWatch, h, admin, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withAdmin(AdminConfig a) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, policies, policyWatch, halts, a, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withPolicies(String dir) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, dir, policyWatch, halts, admin, cluster, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withCluster(ClusterConfig c) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, policies, policyWatch, halts, admin, c, capture, approvals, audit, baseDir);
    }

    public SidecarConfig withApprovals(ApprovalsConfig a) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, policies, policyWatch, halts, admin, cluster, capture, a, audit, baseDir);
    }

    public SidecarConfig withCapture(CaptureConfig c) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, policies, policyWatch, halts, admin, cluster, c, approvals, audit, baseDir);
    }

    public SidecarConfig withAudit(AuditConfig a) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, policies, policyWatch, halts, admin, cluster, capture, approvals, a, baseDir);
    }

    public SidecarConfig withPolicyWatch(Duration interval) {
        return new SidecarConfig(listeners, requests, agents, backends, databases, policies, interval, halts, admin, cluster, capture, approvals, audit, baseDir);
    }
}
