package io.oldguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code oldguard agents list|release|halt}: the admin API from the command line. The admin port and token
 * are taken from {@code sidecar.yaml} (and the environment), or from {@code --admin-url}.
 */
final class AgentsCommand {

    private AgentsCommand() {
    }

    static int run(String action, Options options) {
        String agent = options.get("agent", null);
        return switch (action) {
            case "list" -> AdminApiCall.send("agents", options, "/v1/agents/halted", null);
            case "release", "halt" -> {
                if (agent == null) {
                    System.err.println("oldguard agents " + action + ": --agent <id> is required");
                    yield 2;
                }
                String body = action.equals("halt")
                        ? new ObjectMapper().createObjectNode().put("reason", options.get("reason", "halted from the CLI")).toString()
                        : "";
                yield AdminApiCall.send("agents", options, "/v1/agents/" + agent + "/" + action, body);
            }
            default -> {
                System.err.println("oldguard agents: unknown action \"" + action + "\" (expected list, release or halt)");
                yield 2;
            }
        };
    }
}
