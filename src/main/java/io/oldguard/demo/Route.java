package io.oldguard.demo;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** How the scene's calls travel: through oldguard, or straight to the legacy service as its clients did in 2008. */
sealed interface Route {

    /** An agent's call takes at most this long, as GetStock's timeout in the shipped policy; later counts as failed. */
    Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    HttpRequest request(AgentCall call);

    /** Whether the answer is oldguard refusing the call (a problem document); the service itself never refuses. */
    boolean refused(HttpResponse<?> response);

    /** Whether the call did what the agent wanted: a result, not a refusal or a fault. */
    default boolean succeeded(HttpResponse<?> response) {
        return response.statusCode() == 200;
    }

    /** Through oldguard's JSON tool API, each agent with its bearer token. */
    record ThroughOldguard(String base, Map<String, String> tokens) implements Route {
        @Override
        public HttpRequest request(AgentCall call) {
            String json = call.arguments().entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\":" + (e.getValue() instanceof String s ? "\"" + s + "\"" : e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
            return HttpRequest.newBuilder(URI.create(base + "/v1/tools/" + call.tool())).timeout(CALL_TIMEOUT)
                    .header("Authorization", "Bearer " + tokens.get(call.agent()))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        }

        @Override
        public boolean refused(HttpResponse<?> response) {
            return response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
        }
    }

    /** SOAP envelopes posted to the service's endpoint, nothing checked on the way. */
    record StraightToService(URI endpoint) implements Route {
        private static final String NS = "http://legacy.example.com/inventory/2008";

        @Override
        public HttpRequest request(AgentCall call) {
            String fields = call.arguments().entrySet().stream()
                    .map(e -> "<" + e.getKey() + ">" + e.getValue() + "</" + e.getKey() + ">").collect(Collectors.joining());
            String envelope = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><" + call.tool()
                    + "Request xmlns=\"" + NS + "\">" + fields + "</" + call.tool() + "Request></s:Body></s:Envelope>";
            return HttpRequest.newBuilder(endpoint).timeout(CALL_TIMEOUT)
                    .header("Content-Type", "text/xml; charset=utf-8").header("SOAPAction", "\"" + NS + "/" + call.tool() + "\"")
                    .POST(HttpRequest.BodyPublishers.ofString(envelope)).build();
        }

        @Override
        public boolean refused(HttpResponse<?> response) {
            return false;
        }
    }
}
