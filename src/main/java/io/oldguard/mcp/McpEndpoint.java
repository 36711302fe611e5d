package io.oldguard.mcp;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.audit.Events;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.config.McpLimits;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.halt.HaltGuard;
import io.oldguard.http.BoundedJson;
import io.oldguard.http.HttpResponses;
import io.oldguard.identity.AgentDirectory;
import io.oldguard.identity.IdentityGuard;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.policy.PolicyStore;
import io.oldguard.ratelimit.RateLimitGuard;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP endpoint's protocol, one per server and free of Netty so it reads like the specification: JSON-RPC
 * parsed within the request limits, then sessions, protocol versions and batches, then the methods.
 * {@link McpHandler} does the HTTP around it. {@link #post} blocks (it runs tool calls): call it on a virtual thread.
 */
public final class McpEndpoint {

    /** JSON-RPC puts tool arguments in params.arguments and a batch in an array: three levels above the JSON API's. */
    public static final int ENVELOPE_DEPTH = 3;

    private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
    private static final List<String> METHODS = List.of("initialize", "ping", "tools/list", "tools/call");
    private static final String VERSION = Objects.requireNonNullElse(
            McpEndpoint.class.getPackage().getImplementationVersion(), "development");
    private static final String INSTRUCTIONS = "Every tool reaches a fragile legacy system through oldguard. Send "
            + "arguments exactly as each tool's inputSchema says: a call that breaks it is refused and may halt this "
            + "agent until an operator releases it. When an error carries retryAfter, wait that many seconds; never "
            + "retry in a loop.";

    /** A POST from an identified agent: the headers that matter to MCP, and the body. */
    record Post(String agent, String sessionId, String protocolVersion, String requestId, byte[] body) {
    }

    /** Either the request's open session or why there is none. */
    private record SessionCheck(McpSession session, Refusal refusal) {
    }

    private final AgentDirectory agents;
    private final IdentityGuard identity = new IdentityGuard();
    private final McpTools tools;
    private final McpSessions sessions;
    private final McpStreams streams;
    private final BoundedJson json;
    private final int maxBatchMessages;
    private final ExecutorService workers;
    private final CallMetrics metrics;

    /**
     * @param json parses with the agent port's limits, its depth raised by {@link #ENVELOPE_DEPTH}
     */
    public McpEndpoint(AgentDirectory agents, HaltGuard halts, RateLimitGuard rateLimits,
            PolicyStore policies, ToolCallHandler calls, BoundedJson json, McpLimits limits, ExecutorService workers,
            Map<String, Duration> backendTimeouts, CallMetrics metrics, Clock clock) {
        this.agents = agents;
        this.tools = new McpTools(halts, rateLimits, policies, calls, backendTimeouts, clock);
        this.maxBatchMessages = limits.maxBatchMessages();
        this.streams = new McpStreams(policies.get(), limits.maxStreamsPerAgent());
        this.sessions = new McpSessions(clock, limits.sessionIdleTimeout(), streams::sessionEnded);
        policies.onChange(streams::policiesChanged);
        // An agent a reload removed can no longer be identified: its sessions, and so its streams, end.
        policies.onApplied(loaded -> sessions.retainAgents(loaded.identities().agents()));
        this.json = json;
        this.workers = workers;
        this.metrics = metrics;
    }

    /** The bearer token's agent, or the same 401 refusal the JSON API gives. */
    Caller identify(String bearerToken) {
        return agents.identify(bearerToken);
    }

    Refusal refusalFor(Caller caller) {
        return identity.check(caller) instanceof Refusal refusal ? refusal : null;
    }

    ExecutorService workers() {
        return workers;
    }

    McpReply post(Post post) {
        try {
            return answer(post);
        } catch (RuntimeException e) {
            LOG.error("unexpected failure", kv("event", Events.INTERNAL_ERROR), kv("requestId", post.requestId()), e);
            return refused(Refusals.internalError(post.requestId()), null, post.requestId());
        }
    }

    private McpReply answer(Post post) {
        BoundedJson.Tree tree = json.parseTree(post.body());
        if (tree.refusal() != null) {
            return refused(tree.refusal(), null, post.requestId());
        }
        if (tree.node() instanceof ArrayNode batch) {
            return batch(post, batch);
        }
        JsonRpcMessage.Read read = JsonRpcMessage.read(tree.node());
        if (read.refusal() != null) {
            return refused(read.refusal(), read.id(), post.requestId());
        }
        JsonRpcMessage message = read.message();
        if (message.isRequest() && message.method().equals("initialize")) {
            return initialize(post, message);
        }
        SessionCheck check = session(post.agent(), post.sessionId(), post.protocolVersion());
        if (check.refusal() != null) {
            return refused(check.refusal(), message.id(), post.requestId());
        }
        // Notifications (initialized, cancelled) and responses need no answer: this server sends no requests.
        return message.isRequest() ? McpReply.json(respond(check.session(), message, post.requestId())) : McpReply.accepted();
    }

    /** Ends the agent's session; a later request naming it gets 404, as after expiry. */
    McpReply delete(String agent, String sessionId, String protocolVersion, String requestId) {
        SessionCheck check = session(agent, sessionId, protocolVersion);
        if (check.refusal() != null) {
            return refused(check.refusal(), null, requestId);
        }
        sessions.close(check.session());
        return McpReply.noContent();
    }

    /** What a GET asks: the session whose notification stream to open, or the answer refusing it. */
    record StreamCheck(McpSession session, McpReply refusal) {
    }

    StreamCheck stream(String agent, String sessionId, String protocolVersion, String requestId) {
        SessionCheck check = session(agent, sessionId, protocolVersion);
        return check.refusal() != null ? new StreamCheck(null, refused(check.refusal(), null, requestId))
                : new StreamCheck(check.session(), null);
    }

    McpStreams streams() {
        return streams;
    }

    /** Whether the session is still open; asking does not count as using it (see {@link McpSessions#live}). */
    boolean sessionLive(String sessionId) {
        return sessions.live(sessionId);
    }

    /** Counted and logged like every request refused before it became a call. */
    McpReply refused(Refusal refusal, JsonNode id, String requestId) {
        rejected(refusal, requestId);
        return McpReply.refused(refusal, id, requestId);
    }

    /** The MCP-Protocol-Version header is not checked here: the version is negotiated in the body. */
    private McpReply initialize(Post post, JsonRpcMessage request) {
        if (post.sessionId() != null) {
            return refused(Refusals.invalidJsonRpc("initialize starts a new session, so it is sent without Mcp-Session-Id"),
                    request.id(), post.requestId());
        }
        JsonNode requested = request.params().get("protocolVersion");
        if (requested == null || !requested.isTextual()) {
            Refusal refusal = Refusals.invalidParams("initialize needs params.protocolVersion, the newest MCP version "
                    + "the client speaks, e.g. \"" + ProtocolVersions.LATEST + "\".");
            rejected(refusal, post.requestId());
            return McpReply.json(JsonRpc.error(request.id(), McpErrors.error(refusal, post.requestId())));
        }
        McpSession session = sessions.open(post.agent(), ProtocolVersions.negotiate(requested.textValue()));
        ObjectNode result = HttpResponses.JSON.createObjectNode().put("protocolVersion", session.protocolVersion());
        // A policy reload can change an agent's tools; sessions with a GET stream are told.
        result.putObject("capabilities").putObject("tools").put("listChanged", true);
        result.putObject("serverInfo").put("name", "oldguard").put("version", VERSION);
        result.put("instructions", INSTRUCTIONS);
        return McpReply.json(JsonRpc.result(request.id(), result)).withSession(session.id());
    }

    /** Batches exist only in protocol version 2025-03-26; their requests run one after another, never in parallel. */
    private McpReply batch(Post post, ArrayNode batch) {
        SessionCheck check = session(post.agent(), post.sessionId(), post.protocolVersion());
        if (check.refusal() != null) {
            return refused(check.refusal(), null, post.requestId());
        }
        String version = check.session().protocolVersion();
        if (!ProtocolVersions.allowsBatches(version)) {
            return refused(Refusals.invalidJsonRpc("This session speaks MCP " + version + ", which has no JSON-RPC "
                    + "batches (they ended with 2025-06-18)"), null, post.requestId());
        }
        if (batch.isEmpty()) {
            return refused(Refusals.invalidJsonRpc("The batch is empty"), null, post.requestId());
        }
        // Refused whole, before any of it runs: each answer is written into one body, so a batch of 18,000
        // listings (907 KB) made a 40.9 MB answer.
        if (batch.size() > maxBatchMessages) {
            return refused(Refusals.batchTooLarge(batch.size(), maxBatchMessages), null, post.requestId());
        }
        ArrayNode responses = HttpResponses.JSON.createArrayNode();
        for (int i = 0; i < batch.size() && !Thread.currentThread().isInterrupted(); i++) {
            String requestId = post.requestId() + "." + (i + 1);
            JsonRpcMessage.Read read = JsonRpcMessage.read(batch.get(i));
            Refusal refusal = read.refusal() != null ? read.refusal()
                    : read.message().isRequest() && read.message().method().equals("initialize")
                            ? Refusals.invalidJsonRpc("initialize cannot be part of a batch") : null;
            if (refusal != null) {
                rejected(refusal, requestId);
                responses.add(JsonRpc.error(read.id(), McpErrors.error(refusal, requestId)));
            } else if (read.message().isRequest()) {
                responses.add(respond(check.session(), read.message(), requestId));
            }
        }
        return responses.isEmpty() ? McpReply.accepted() : McpReply.json(responses);
    }

    private ObjectNode respond(McpSession session, JsonRpcMessage request, String requestId) {
        return switch (request.method()) {
            case "ping" -> JsonRpc.result(request.id(), HttpResponses.JSON.createObjectNode());
            case "tools/list" -> tools.list(session.agent(), request, requestId, r -> rejected(r, requestId));
            case "tools/call" -> tools.call(session.agent(), request, requestId, r -> rejected(r, requestId));
            case "initialize" -> error(request, Refusals.invalidJsonRpc(
                    "This session is initialized already; send initialize without Mcp-Session-Id for a new one"), requestId);
            default -> error(request, Refusals.unknownMethod(request.method(), METHODS), requestId);
        };
    }

    private ObjectNode error(JsonRpcMessage request, Refusal refusal, String requestId) {
        rejected(refusal, requestId);
        return JsonRpc.error(request.id(), McpErrors.error(refusal, requestId));
    }

    /**
     * A request names its session, which must be open and the agent's own. The protocol version header may be
     * left out (the session knows its version); when sent, it must be that version.
     */
    private SessionCheck session(String agent, String sessionId, String protocolVersion) {
        if (protocolVersion != null && !ProtocolVersions.supported(protocolVersion)) {
            return new SessionCheck(null, Refusals.unsupportedProtocolVersion(protocolVersion, null, ProtocolVersions.SUPPORTED));
        }
        if (sessionId == null) {
            return new SessionCheck(null, Refusals.sessionMissing());
        }
        McpSession session = sessions.find(sessionId, agent).orElse(null);
        if (session == null) {
            return new SessionCheck(null, Refusals.sessionNotFound());
        }
        if (protocolVersion != null && !protocolVersion.equals(session.protocolVersion())) {
            return new SessionCheck(null, Refusals.unsupportedProtocolVersion(protocolVersion, session.protocolVersion(),
                    ProtocolVersions.SUPPORTED));
        }
        return new SessionCheck(session, null);
    }

    private void rejected(Refusal refusal, String requestId) {
        metrics.rejected(refusal.outcome());
        LOG.info("MCP request refused: {}", refusal.outcome(), kv("event", Events.REQUEST_REJECTED),
                kv("requestId", requestId), kv("outcome", refusal.outcome()), kv("status", refusal.status()),
                kv("transport", "mcp"));
    }
}
