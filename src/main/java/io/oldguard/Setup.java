package io.oldguard;

import io.oldguard.catalog.ToolCatalog;
import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.Rate;
import io.oldguard.config.SidecarConfig;
import io.oldguard.policy.PolicyLoader;
import io.oldguard.policy.PolicySet;
import io.oldguard.sql.SqlVerifier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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
        return of(config, configFile, ToolCatalog.load(config, configFile), verifier);
    }

    /** With the WSDL tools already read. */
    public static Setup of(SidecarConfig config, String configFile, ToolCatalog wsdlTools, SqlVerifier verifier) {
        return new Setup(config, configFile, reloadPolicies(config, wsdlTools, verifier, java.util.Set.of()));
    }

    /**
     * For a reload: the policy folder against the WSDL tools the sidecar started with (a WSDL edit needs a
     * restart); grants to {@code retiredAgents}, which the reload removes, are skipped rather than refused.
     */
    public static PolicySet reloadPolicies(SidecarConfig config, ToolCatalog wsdlTools, SqlVerifier verifier,
            java.util.Set<String> retiredAgents) {
        Map<String, Rate> backendRates = new HashMap<>();
        config.backends().forEach((name, backend) -> {
            if (backend != null && backend.limits().rate() != null) {
                backendRates.put(name, backend.limits().rate());
            }
        });
        return PolicyLoader.load(config.policiesDir(), wsdlTools, config.agents().keySet(), retiredAgents,
                config.databases().keySet(), backendRates, verifier);
    }

    /** Every tool: WSDL operations and SQL tools. */
    public ToolCatalog catalog() {
        return policies.catalog();
    }

}
