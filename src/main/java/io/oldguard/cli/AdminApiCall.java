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
 * One request to the admin API from the command line, as {@code oldguard agents} and {@code oldguard approvals}
 * make it: the admin port and token from {@code sidecar.yaml} (and the environment), or {@code --admin-url}; the
 * answer printed as indented JSON.
 */
final class AdminApiCall {

    private AdminApiCall() {
    }

    /**
     * @param command the CLI command, for its messages ({@code agents}, {@code approvals})
     * @param path    below the admin API's base, e.g. {@code /v1/agents/halted}
     * @param body    a JSON body to POST; null to GET
     * @return the exit code: 0 when the API answered 200, 1 otherwise
     */
    static int send(String command, Options options, String path, String body) {
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
            System.err.println("oldguard " + command + ": " + e.getMessage());
            return 1;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        request = body == null ? request.GET()
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            System.out.println(json.writeValueAsString(json.readTree(response.body())));
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            System.err.println("oldguard " + command + ": cannot reach the admin API at " + base + " (" + why(e)
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
