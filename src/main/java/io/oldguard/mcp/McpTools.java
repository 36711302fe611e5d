package io.oldguard.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.call.CallRecorder;
import io.oldguard.call.CallResult;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.catalog.Tool;
import io.oldguard.catalog.ToolCatalog;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.halt.HaltGuard;
import io.oldguard.http.HttpResponses;
import io.oldguard.http.ToolListing;
import io.oldguard.policy.PolicySet;
import io.oldguard.ratelimit.RateLimitGuard;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code tools/list} and {@code tools/call}. The listing is the JSON API's (only the agent's granted tools, input
 * schemas with the policy's rules, result schemas from the WSDL); a call is decoded into the same
 * {@link ToolCall} and taken through the same {@link ToolCallHandler}, so every guard applies identically.
 * Blocking: runs on a virtual thread.
 */
final class McpTools {

    private final HaltGuard halts;
    private final RateLimitGuard rateLimits;
    private final Supplier<PolicySet> policies;
    private final ToolCallHandler calls;
    private final Map<String, Duration> backendTimeouts;
    private final Clock clock;

    McpTools(HaltGuard halts, RateLimitGuard rateLimits, Supplier<PolicySet> policies,
            ToolCallHandler calls, Map<String, Duration> backendTimeouts, Clock clock) {
        this.halts = halts;
        this.rateLimits = rateLimits;
        this.policies = policies;
        this.calls = calls;
        this.backendTimeouts = Map.copyOf(backendTimeouts);
        this.clock = clock;
    }

    /**
     * @param refused told of a request refused before it became a call, for the metrics and the log
     */
    ObjectNode list(String agent, JsonRpcMessage request, String requestId, Consumer<Refusal> refused) {
        JsonNode cursor = request.params().get("cursor");
        if (cursor != null && !cursor.isNull()) {
            return refuse(request, Refusals.invalidParams("This server lists every tool at once and issues no cursors; "
                    + "send tools/list without params.cursor."), requestId, refused);
        }
        // A halted agent is not told its tools either, as on the JSON API.
        if (halts.check(agent) instanceof Refusal halted) {
            return refuse(request, halted, requestId, refused);
        }
        if (rateLimits.chargeListing(agent, "tools/list") instanceof Refusal limited) {
            return refuse(request, limited, requestId, refused);
        }
        PolicySet set = policies.get();
        return JsonRpc.result(request.id(), ToolListing.describe(set, set.toolsGrantedTo(agent)));
    }

    ObjectNode call(String agent, JsonRpcMessage request, String requestId, Consumer<Refusal> refused) {
        JsonNode name = request.params().get("name");
        if (name == null || !name.isTextual()) {
            return refuse(request, Refusals.invalidParams("tools/call needs params.name, the tool's name as a string, "
                    + "and params.arguments, an object such as {\"ItemID\": 42}."), requestId, refused);
        }
        JsonNode arguments = request.params().get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            return refuse(request, Refusals.invalidParams("params.arguments must be a JSON object of the tool's "
                    + "arguments, such as {\"ItemID\": 42}."), requestId, refused);
        }
        // The halt before the tool is looked up: an unknown name must not get a halted agent the list of its tools.
        // A known one goes on to the guards, which refuse it too and count it as a call.
        Refusal halted = halts.check(agent) instanceof Refusal r ? r : null;
        ToolCatalog catalog = policies.get().catalog();
        Tool tool = catalog.find(name.textValue()).orElse(null);
        if (tool == null) {
            return refuse(request, halted != null ? halted
                    : Refusals.unknownTool(name.textValue(), policies.get().toolsGrantedTo(agent)), requestId, refused);
        }
        Instant received = clock.instant();
        Duration timeout = policies.get().timeoutOf(tool.name(), backendTimeouts.get(tool.backend()));
        ObjectNode args = arguments instanceof ObjectNode object ? object : HttpResponses.JSON.createObjectNode();
        ToolCall call = new ToolCall(requestId, new Caller.Agent(agent), tool, args, received, received.plus(timeout));
        return switch (calls.handle(call, CallRecorder.MCP)) {
            case CallResult.Success s -> JsonRpc.result(request.id(), success(s.result()));
            case CallResult.Failure f when McpErrors.isToolError(f.refusal()) ->
                    JsonRpc.result(request.id(), McpErrors.toolError(f.refusal(), requestId));
            case CallResult.Failure f -> JsonRpc.error(request.id(), McpErrors.error(f.refusal(), requestId));
        };
    }

    /** The result as structured content, and as JSON text for clients older than structured content. */
    private static ObjectNode success(ObjectNode value) {
        ObjectNode result = HttpResponses.JSON.createObjectNode();
        try {
            result.putArray("content").addObject().put("type", "text").put("text", HttpResponses.JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("tool result could not be written", e);
        }
        result.set("structuredContent", value);
        result.put("isError", false);
        return result;
    }

    private static ObjectNode refuse(JsonRpcMessage request, Refusal refusal, String requestId, Consumer<Refusal> refused) {
        refused.accept(refusal);
        return JsonRpc.error(request.id(), McpErrors.error(refusal, requestId));
    }
}
