package io.oldguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
 * {@code oldguard agents list|release|halt}: the admin API from the command line. The admin port and token
 * are taken from {@code sidecar.yaml} (and the environment), or from {@code --admin-url}.
 */
final class AgentsCommand {

    private AgentsCommand() {
    }

    static int run(String action, Options options) {
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
            System.err.println("oldguard agents: " + e.getMessage());
            return 1;
        }
        String agent = options.get("agent", null);
        HttpRequest.Builder request;
        switch (action) {
            case "list" -> request = HttpRequest.newBuilder(URI.create(base + "/v1/agents/halted")).GET();
            case "release", "halt" -> {
                if (agent == null) {
                    System.err.println("oldguard agents " + action + ": --agent <id> is required");
                    return 2;
                }
                String body = action.equals("halt")
                        ? new ObjectMapper().createObjectNode().put("reason", options.get("reason", "halted from the CLI")).toString()
                        : "";
                request = HttpRequest.newBuilder(URI.create(base + "/v1/agents/" + agent + "/" + action))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            }
            default -> {
                System.err.println("oldguard agents: unknown action \"" + action + "\" (expected list, release or halt)");
                return 2;
            }
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            System.out.println(json.writeValueAsString(json.readTree(response.body())));
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            System.err.println("oldguard agents: cannot reach the admin API at " + base + " (" + why(e)
                    + "); is oldguard running, and is that its admin port (listeners.admin in sidecar.yaml, or --admin-url)?");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The JDK's HTTP client throws a ConnectException without a message; its cause says what happened. */
    private static String why(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (t instanceof java.net.http.HttpConnectTimeoutException) {
                return "no answer within 3 s";
            }
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }
}
