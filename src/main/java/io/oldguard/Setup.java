package io.oldguard;

import io.oldguard.catalog.ToolCatalog;
import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.SidecarConfig;
import io.oldguard.policy.PolicyLoader;
import io.oldguard.policy.PolicySet;
import io.oldguard.sql.SqlVerifier;
import java.nio.file.Path;

/**
 * Everything oldguard reads from disk, checked together: {@code sidecar.yaml}, the WSDL contracts it names and
 * the policy folder. What {@code oldguard check} reports and what {@code oldguard run} starts from.
 */
public record Setup(SidecarConfig config, String configFile, PolicySet policies) {

    /** Without a database: SQL tools are checked as written, not against the database (plain {@code check}). */
    public static Setup load(Path configFile) {
        return load(configFile, SqlVerifier.NONE);
    }

    public static Setup load(Path configFile, SqlVerifier verifier) {
        return of(ConfigLoader.load(configFile), configFile.toString(), verifier);
    }

    /** For a configuration built or adjusted in code (the demo, tests). */
    public static Setup of(SidecarConfig config, String configFile, SqlVerifier verifier) {
        return of(config, configFile, verifier, java.util.Set.of());
    }

    /** For a reload: grants to {@code retiredAgents}, which it removes, are skipped rather than refused. */
    public static Setup of(SidecarConfig config, String configFile, SqlVerifier verifier, java.util.Set<String> retiredAgents) {
        ToolCatalog wsdlTools = ToolCatalog.load(config, configFile);
        PolicySet policies = PolicyLoader.load(config.policiesDir(), wsdlTools, config.agents().keySet(), retiredAgents,
                config.databases().keySet(), verifier);
        return new Setup(config, configFile, policies);
    }

    /** Every tool: WSDL operations and SQL tools. */
    public ToolCatalog catalog() {
        return policies.catalog();
    }

}
