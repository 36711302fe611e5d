package io.oldguard;

import io.oldguard.catalog.ToolCatalog;
import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.SidecarConfig;
import io.oldguard.policy.PolicyLoader;
import io.oldguard.policy.PolicySet;
import java.nio.file.Path;

/**
 * Everything oldguard reads from disk, checked together: {@code sidecar.yaml}, the WSDL contracts it names and
 * the policy folder. What {@code oldguard check} reports and what {@code oldguard run} starts from.
 */
public record Setup(SidecarConfig config, String configFile, ToolCatalog catalog, PolicySet policies) {

    public static Setup load(Path configFile) {
        SidecarConfig config = ConfigLoader.load(configFile);
        return of(config, configFile.toString());
    }

    /** For a configuration built or adjusted in code (the demo, tests). */
    public static Setup of(SidecarConfig config, String configFile) {
        ToolCatalog catalog = ToolCatalog.load(config, configFile);
        PolicySet policies = PolicyLoader.load(config.policiesDir(), catalog, config.agents().keySet());
        return new Setup(config, configFile, catalog, policies);
    }

}
