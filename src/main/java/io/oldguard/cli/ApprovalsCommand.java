package io.oldguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.config.ConfigException;
import io.oldguard.config.ConfigLoader;
import io.oldguard.config.Secrets;
import io.oldguard.config.SidecarConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

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
        SidecarConfig config;
        try {
            config = ConfigLoader.load(Path.of(options.get("config", "sidecar.yaml")));
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        }
        String base = options.get("admin-url", "http://" + config.listeners().admin().host() + ":"
                + config.listeners().admin().port());
        String token;
        try {
            token = Secrets.read(config, config.admin().tokenEnv(), config.admin().tokenFile(), System.getenv(), "the admin token");
        } catch (IllegalArgumentException e) {
            System.err.println("oldguard approvals: " + e.getMessage());
            return 1;
        }
        HttpRequest.Builder request;
        if (id == null) {
            request = HttpRequest.newBuilder(URI.create(base + "/v1/approvals")).GET();
        } else {
            ObjectNode body = new ObjectMapper().createObjectNode()
                    .put("by", options.get("by", System.getProperty("user.name", "operator")));
            if (action.equals("deny")) {
                body.put("reason", options.get("reason", "denied from the CLI"));
            }
            request = HttpRequest.newBuilder(URI.create(base + "/v1/approvals/" + id + "/" + action))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            System.out.println(json.writeValueAsString(json.readTree(response.body())));
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            System.err.println("oldguard approvals: cannot reach the admin API at " + base + " (" + e.getMessage() + ")");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
