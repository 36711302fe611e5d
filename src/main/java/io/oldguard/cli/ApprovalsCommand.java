package io.oldguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code oldguard approvals list|approve ID|deny ID --reason …}: the approvals admin API from the command line,
 * found and authenticated as {@code oldguard agents} does. The decision is recorded under {@code --by} (default:
 * the login name), so the audit line names who approved.
 */
final class ApprovalsCommand {

    private ApprovalsCommand() {
    }

    /** @param id the approval to decide; null for {@code list} */
    static int run(String action, String id, Options options) {
        if (id == null) {
            return AdminApiCall.send("approvals", options, "/v1/approvals", null);
        }
        ObjectNode body = new ObjectMapper().createObjectNode()
                .put("by", options.get("by", System.getProperty("user.name", "operator")));
        if (action.equals("deny")) {
            body.put("reason", options.get("reason", "denied from the CLI"));
        }
        return AdminApiCall.send("approvals", options, "/v1/approvals/" + id + "/" + action, body.toString());
    }
}
