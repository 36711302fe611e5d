package io.oldguard.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oldguard.simulator.LegacyInventorySimulator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The demo's first act: calls made one at a time through oldguard, each told in a sentence, then what was sent and
 * the gist of the answer (a refusal's title and detail, a result, the tools offered).
 */
record ScriptedCalls(PrintStream out, String base, String admin, Map<String, String> tokens, String adminToken,
        LegacyInventorySimulator simulator) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LONGEST = 200;

    void run() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String support = tokens.get("support-bot");
            String order = tokens.get("order-bot");
            out.println();
            out.println("== First, one call at a time (the log lines are oldguard's own)");
            show(http, "support-bot asks which tools it may call", get("/v1/tools", support));
            show(http, "support-bot checks the stock of item 42", post("/v1/tools/GetStock", support, "{\"ItemID\": 42}"));
            show(http, "order-bot reserves 3 units of item 42", post("/v1/tools/ReserveStock", order,
                    "{\"ItemID\": 42, \"Quantity\": 3, \"OrderRef\": \"PO-004711\"}"));
            show(http, "order-bot asks for 45 units: the policy wants a person to approve that exact call first",
                    post("/v1/tools/ReserveStock", order, "{\"ItemID\": 42, \"Quantity\": 45, \"OrderRef\": \"PO-004711\"}"));
            show(http, "support-bot tries ReserveStock, which its policy does not grant", post("/v1/tools/ReserveStock",
                    support, "{\"ItemID\": 42, \"Quantity\": 3, \"OrderRef\": \"PO-004711\"}"));
            show(http, "support-bot runs the SQL tool low_stock (oldguard's own small pool, typed parameters)",
                    post("/v1/tools/low_stock", support, "{\"category\": \"GARDEN\", \"below\": 40}"));
            show(http, "a caller without a known token", post("/v1/tools/GetStock", "not-a-valid-token-at-all", "{\"ItemID\": 42}"));
            show(http, "a body that is not JSON", post("/v1/tools/GetStock", support, "{ItemID: 42"));
            long before = simulator.requestsReceived();
            show(http, "THE INCIDENT: support-bot invents an item name where the contract wants a number",
                    post("/v1/tools/GetStock", support, "{\"ItemID\": \"the-blue-widget-from-the-promo\"}"));
            show(http, "support-bot tries again, with a valid call: it is halted", post("/v1/tools/GetStock", support,
                    "{\"ItemID\": 42}"));
            show(http, "order-bot is not affected", post("/v1/tools/GetStock", order, "{\"ItemID\": 43}"));
            out.println();
            out.println("   Requests that reached the service since the invented name: "
                    + (simulator.requestsReceived() - before) + " (order-bot's only).");
            show(http, "an operator lists the halted agents (admin port)", operator("/v1/agents/halted", "GET"));
            show(http, "the operator releases support-bot", operator("/v1/agents/support-bot/release", "POST"));
            show(http, "support-bot calls validly again", post("/v1/tools/GetStock", support, "{\"ItemID\": 42}"));
            out.println();
            out.println("   The service received " + simulator.requestsReceived() + " requests in all (GetStock "
                    + simulator.requestsReceived("GetStock") + ", ReserveStock " + simulator.requestsReceived("ReserveStock")
                    + "); oldguard answered everything else itself.");
        }
    }

    /** A request and the body it carries, to be shown as sent. */
    private record Sent(HttpRequest request, String body) {
        Sent(HttpRequest request) {
            this(request, "");
        }
    }

    private Sent get(String path, String token) {
        return new Sent(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).GET().build());
    }

    private Sent post(String path, String token, String json) {
        return new Sent(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(), json);
    }

    private Sent operator(String path, String method) {
        return new Sent(HttpRequest.newBuilder(URI.create(admin + path)).header("Authorization", "Bearer " + adminToken)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    private void show(HttpClient http, String what, Sent sent) throws IOException, InterruptedException {
        HttpRequest request = sent.request();
        out.println();
        out.println("-- " + what);
        out.println("   " + request.method() + " " + request.uri().getPath() + (sent.body().isEmpty() ? "" : " " + sent.body()));
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        out.println("   " + response.statusCode() + " " + gist(response.body()));
        out.flush();
        // oldguard's log line for the call is written by a background thread a moment later: let it land under its
        // call, not under the next one.
        Thread.sleep(30);
    }

    /** A refusal's title and detail, a result, the tools offered; anything else as it came, cut short. */
    static String gist(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return cut(body);
        }
        if (json == null || !json.isObject()) {
            return cut(body);
        }
        if (json.hasNonNull("detail")) {
            return json.path("title").asText() + ": " + json.get("detail").asText();
        }
        if (json.path("tools").isArray()) {
            return "tools: " + StreamSupport.stream(json.get("tools").spliterator(), false)
                    .map(tool -> tool.path("name").asText()).collect(Collectors.joining(", "));
        }
        if (json.has("result")) {
            return cut(json.get("result").toString());
        }
        return cut(body);
    }

    private static String cut(String text) {
        return text.length() <= LONGEST ? text : text.substring(0, LONGEST) + "… (" + text.length() + " characters)";
    }
}
