package io.oldguard.admin;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.oldguard.audit.Events;
import io.oldguard.guard.Refusals;
import io.oldguard.halt.Halt;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.http.BoundedJson;
import io.oldguard.http.HttpResponses;
import io.oldguard.policy.PolicySet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' API for halted agents (behind the admin token, checked by {@link AdminAuth}): list them with
 * why and since when, release one, halt one by hand. Blocking (the halts file is written): called on a virtual thread, never the event loop.
 */
final class AgentsAdminApi {

    static final String PREFIX = "/v1/agents";
    private static final Pattern AGENT_ACTION = Pattern.compile("/v1/agents/([a-z0-9][a-z0-9-]{0,62})/(release|halt)");
    private static final Logger LOG = LoggerFactory.getLogger("oldguard.halts");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** Bodies are one small object ({@code {"reason": "…"}}) within the admin port's 8 KiB aggregator. */
    private static final BoundedJson BODY = new BoundedJson(4, 8192);
    private static final String NO_REASON = "no reason given";

    private final HaltRegistry halts;
    private final Supplier<Set<String>> agents;
    private final Supplier<PolicySet> policies;

    /** @param agents the agents configured now: a reload may add or remove some */
    AgentsAdminApi(HaltRegistry halts, Supplier<Set<String>> agents, Supplier<PolicySet> policies) {
        this.halts = halts;
        this.agents = agents;
        this.policies = policies;
    }

    /** Called once the admin token has been checked. */
    FullHttpResponse handle(HttpMethod method, String path, byte[] body) {
        if (path.equals(PREFIX + "/halted")) {
            return HttpMethod.GET.equals(method) ? list()
                    : HttpResponses.problem(Refusals.methodNotAllowed(method.name(), path, List.of("GET")), null);
        }
        Matcher m = AGENT_ACTION.matcher(path);
        if (!m.matches()) {
            return HttpResponses.problem(Refusals.notFound(path), null);
        }
        if (!HttpMethod.POST.equals(method)) {
            return HttpResponses.problem(Refusals.methodNotAllowed(method.name(), path, List.of("POST")), null);
        }
        String agent = m.group(1);
        boolean release = m.group(2).equals("release");
        Set<String> known = agents.get();
        // A halt left behind by an agent a reload removed can still be released, so the halts file is cleaned up.
        if (!known.contains(agent) && !(release && halts.current(agent).isPresent())) {
            return HttpResponses.problem(Refusals.unknownAgent(agent, known), null);
        }
        // A body is optional; one that is sent must be one JSON object, or the operator meant something else.
        JsonNode sent = JSON.createObjectNode();
        if (body.length > 0) {
            BoundedJson.Parsed parsed = BODY.parse(body);
            if (parsed.refusal() != null) {
                return HttpResponses.problem(parsed.refusal(), null);
            }
            sent = parsed.arguments();
        }
        return release ? release(agent) : halt(agent, reasonFrom(sent));
    }

    private FullHttpResponse list() {
        ObjectNode result = JSON.createObjectNode();
        result.set("halted", JSON.valueToTree(halts.all()));
        return HttpResponses.json(HttpResponseStatus.OK, result, null);
    }

    private FullHttpResponse release(String agent) {
        Optional<Halt> released = halts.release(agent, "operator");
        if (released.isEmpty()) {
            return HttpResponses.problem(Refusals.notHalted(agent), null);
        }
        ObjectNode result = JSON.createObjectNode().put("agent", agent).put("released", true);
        result.set("wasHalted", JSON.valueToTree(released.get()));
        return HttpResponses.json(HttpResponseStatus.OK, result, null);
    }

    private FullHttpResponse halt(String agent, String reason) {
        Halt requested = new Halt(agent, Halt.MANUAL, "halted by an operator: " + reason,
                halts.clock().instant(), null, null, null, null, policies.get().version());
        Halt halt = halts.haltByOperator(requested);
        if (!halt.sameDecisionAs(requested)) {
            // The halt in force keeps the evidence of why (violations, request id); a second reason would hide it.
            return HttpResponses.problem(Refusals.alreadyHalted(halt), null);
        }
        LOG.error("CRITICAL agent {} halted by an operator: {}", agent, reason, kv("severity", "CRITICAL"),
                kv("event", Events.AGENT_HALTED_MANUAL), kv("agent", agent), kv("reason", reason),
                kv("policyVersion", halt.policyVersion()));
        return HttpResponses.json(HttpResponseStatus.OK, JSON.valueToTree(halt), null);
    }

    private static String reasonFrom(JsonNode body) {
        String reason = body.path("reason").asText(null);
        return reason == null || reason.isBlank() ? NO_REASON : reason.length() > 200 ? reason.substring(0, 200) : reason;
    }
}
