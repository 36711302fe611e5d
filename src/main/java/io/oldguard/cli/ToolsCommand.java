package io.oldguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.oldguard.Setup;
import io.oldguard.config.ConfigException;
import io.oldguard.http.ToolListing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/** {@code oldguard tools}: prints the tool schemas agents will be shown (native, or OpenAI function calling). */
final class ToolsCommand {

    private ToolsCommand() {
    }

    static int run(Options options) {
        Path config = Path.of(options.get("config", "sidecar.yaml"));
        try {
            Setup setup = Setup.load(config);
            String agent = options.get("agent", null);
            Set<String> offered = null;
            if (agent != null) {
                // Exactly what GET /v1/tools and MCP tools/list show that agent: its grants, nothing else.
                if (!setup.config().agents().containsKey(agent)) {
                    System.err.println("oldguard tools: no agent " + agent + " in " + config + " (expected one of: "
                            + String.join(", ", new java.util.TreeSet<>(setup.config().agents().keySet())) + ")");
                    return 1;
                }
                offered = setup.policies().toolsGrantedTo(agent);
            }
            Object body = "openai".equals(options.get("format", "native")) ? ToolListing.openAi(setup.policies(), offered)
                    : ToolListing.describe(setup.policies(), offered);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(body));
            return 0;
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        } catch (IOException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
