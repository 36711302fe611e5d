package io.oldguard.guard;

import io.oldguard.approval.Approval;
import io.oldguard.config.Rate;
import io.oldguard.halt.Halt;
import io.oldguard.validation.Violation;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every refusal and failure oldguard answers with, built in one place: status, problem type, title and
 * {@code Retry-After} are decided here, so the JSON API and every later transport say the same thing. Details
 * are one sentence a model can act on: what was wrong and what is expected.
 */
public final class Refusals {

    public static final String TYPE_BASE = "https://oldguard.dev/problems/";
    /** Outcome of the legacy service refusing a call (a SOAP Client fault): the agent's doing, not the service's. */
    public static final String SOAP_CLIENT_FAULT = "soap_client_fault";
    /** Outcome of a SOAP 1.2 envelope sent to a SOAP 1.1 service. */
    public static final String SOAP_VERSION_MISMATCH = "soap_version_mismatch";

    private Refusals() {
    }

    public static Refusal missingCredentials() {
        return new Refusal(401, TYPE_BASE + "unauthenticated", "Unauthenticated",
                "No agent credentials were presented; send the agent's token as \"Authorization: Bearer <token>\".",
                "unauthenticated", null, null, Map.of("WWW-Authenticate", "Bearer realm=\"oldguard\""));
    }

    public static Refusal unknownCredentials() {
        return new Refusal(401, TYPE_BASE + "unauthenticated", "Unauthenticated",
                "The bearer token matches no configured agent; send the token issued for your agent.",
                "unauthenticated", null, null,
                Map.of("WWW-Authenticate", "Bearer realm=\"oldguard\", error=\"invalid_token\""));
    }

    public static Refusal notGranted(String agent, String tool, Collection<String> granted) {
        return new Refusal(403, TYPE_BASE + "tool-not-granted", "Tool not granted",
                "Agent " + agent + " may not call " + tool + "; the tools it may call are: "
                        + (granted.isEmpty() ? "none" : String.join(", ", granted.stream().sorted().toList())) + ".",
                "not_granted", ext("tool", tool), null, null);
    }

    /** @param granted the tools the caller may call: the catalogue beyond them is none of its business */
    public static Refusal unknownTool(String tool, Collection<String> granted) {
        return new Refusal(404, TYPE_BASE + "unknown-tool", "Unknown tool",
                "There is no tool named \"" + truncate(tool, 64) + "\"; the tools you may call are: "
                        + (granted.isEmpty() ? "none" : String.join(", ", granted.stream().sorted().toList())) + ".",
                "unknown_tool", null, null, null);
    }

    public static Refusal notFound(String path) {
        return new Refusal(404, TYPE_BASE + "not-found", "Not found",
                "Nothing is served at " + truncate(path, 100) + "; see the README for the endpoints of this port.",
                "not_found", null, null, null);
    }

    public static Refusal methodNotAllowed(String method, String path, List<String> allowed) {
        return new Refusal(405, TYPE_BASE + "method-not-allowed", "Method not allowed",
                "Method " + method + " is not allowed on " + truncate(path, 100) + "; use " + String.join(" or ", allowed) + ".",
                "method_not_allowed", null, null, Map.of("Allow", String.join(", ", allowed)));
    }

    public static Refusal unsupportedMediaType(String contentType) {
        return new Refusal(415, TYPE_BASE + "unsupported-media-type", "Unsupported media type",
                "The body was sent as " + (contentType == null ? "no content type" : "\"" + truncate(contentType, 60) + "\"")
                        + "; send the arguments as a JSON object with Content-Type: application/json.",
                "unsupported_media_type", null, null, null);
    }

    public static Refusal bodyTooLarge(int limitBytes) {
        return new Refusal(413, TYPE_BASE + "body-too-large", "Request body too large",
                "The request body is larger than " + limitBytes + " bytes; tool arguments must fit in " + limitBytes + " bytes.",
                "body_too_large", ext("limitBytes", limitBytes), null, Map.of("Connection", "close"));
    }

    public static Refusal malformedJson(String problem) {
        return new Refusal(400, TYPE_BASE + "malformed-json", "Malformed JSON",
                "The body is not valid JSON (" + truncate(problem, 120) + "); send the arguments as one JSON object.",
                "malformed_json", null, null, null);
    }

    public static Refusal jsonTooDeep(int maxDepth) {
        return new Refusal(400, TYPE_BASE + "json-too-deep", "JSON nested too deeply",
                "The body nests JSON deeper than " + maxDepth + " levels; tool arguments are a flat JSON object.",
                "json_too_deep", ext("maxDepth", maxDepth), null, null);
    }

    public static Refusal notAnObject(String gotType) {
        return new Refusal(400, TYPE_BASE + "malformed-json", "Malformed JSON",
                "The body is a JSON " + gotType + "; send the arguments as one JSON object, e.g. {\"ItemID\": 42}.",
                "malformed_json", null, null, null);
    }

    public static Refusal badRequest(String what) {
        return new Refusal(400, TYPE_BASE + "bad-request", "Bad request", truncate(what, 200),
                "bad_request", null, null, Map.of("Connection", "close"));
    }

    // MCP (Streamable HTTP, JSON-RPC 2.0). io.oldguard.mcp.McpErrors maps each to its JSON-RPC error code.

    /** A JSON value that is not a JSON-RPC 2.0 message, or a batch where the protocol version has none. */
    public static Refusal invalidJsonRpc(String what) {
        return new Refusal(400, TYPE_BASE + "invalid-jsonrpc", "Invalid JSON-RPC request",
                truncate(what, 200) + "; send one JSON-RPC 2.0 message: {\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": …}.",
                "invalid_request", null, null, null);
    }

    public static Refusal unknownMethod(String method, Collection<String> known) {
        return new Refusal(404, TYPE_BASE + "unknown-method", "Method not found",
                "There is no method \"" + truncate(method, 64) + "\"; this server answers: " + String.join(", ", known) + ".",
                "method_not_found", null, null, null);
    }

    /** A JSON-RPC batch over {@code requests.mcp.maxBatchMessages}: refused whole, nothing in it runs. */
    public static Refusal batchTooLarge(int messages, int limit) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("messages", messages);
        ext.put("limit", limit);
        ext.put("setting", "requests.mcp.maxBatchMessages");
        return new Refusal(400, TYPE_BASE + "batch-too-large", "Batch too large",
                "The batch holds " + messages + " messages and at most " + limit + " are accepted in one batch; "
                        + "send them in batches of " + limit + " or fewer.", "invalid_request", ext, null, null);
    }

    /**
     * A notification stream over {@code requests.mcp.maxStreamsPerAgent}: 429 without {@code Retry-After}, since
     * no time frees a place; closing one of the agent's other streams does.
     */
    public static Refusal tooManyStreams(String agent, int limit) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("limit", limit);
        ext.put("setting", "requests.mcp.maxStreamsPerAgent");
        return new Refusal(429, TYPE_BASE + "too-many-streams", "Too many notification streams",
                "Agent " + agent + " already holds " + limit + " notification streams, the most it may; close one "
                        + "(or end its session) before opening another.", "too_many_streams", ext, null, null);
    }

    public static Refusal invalidParams(String what) {
        return new Refusal(400, TYPE_BASE + "invalid-params", "Invalid params", truncate(what, 200),
                "invalid_params", null, null, null);
    }

    public static Refusal sessionMissing() {
        return new Refusal(400, TYPE_BASE + "session-missing", "Session missing",
                "This request needs the Mcp-Session-Id header that initialize returned; send initialize first to get one.",
                "session_missing", null, null, null);
    }

    /** Unknown, expired, ended or another agent's session: all look the same, so none can be probed. */
    public static Refusal sessionNotFound() {
        return new Refusal(404, TYPE_BASE + "session-not-found", "Session not found",
                "The Mcp-Session-Id names no open session of this agent (it ended, expired or never existed); "
                        + "send initialize without the header to start a new one.",
                "session_not_found", null, null, null);
    }

    public static Refusal unsupportedProtocolVersion(String given, String negotiated, Collection<String> supported) {
        return new Refusal(400, TYPE_BASE + "unsupported-protocol-version", "Unsupported protocol version",
                "MCP-Protocol-Version \"" + truncate(given, 40) + "\" is "
                        + (negotiated == null ? "not one this server speaks (" + String.join(", ", supported) + ")"
                                : "not the version this session negotiated (" + negotiated + ")")
                        + "; send the version initialize returned.",
                "unsupported_protocol_version", ext("supported", List.copyOf(supported)), null, null);
    }

    public static Refusal notAcceptable(String accept) {
        return new Refusal(406, TYPE_BASE + "not-acceptable", "Not acceptable",
                "The Accept header \"" + truncate(accept, 80) + "\" excludes application/json, the only way this server "
                        + "answers; send Accept: application/json, text/event-stream.",
                "not_acceptable", null, null, null);
    }

    /** An Origin a browser sends from a foreign page (DNS rebinding); agents send none or a loopback one. */
    public static Refusal forbiddenOrigin(String origin) {
        return new Refusal(403, TYPE_BASE + "forbidden-origin", "Origin not allowed",
                "Requests from the origin \"" + truncate(origin, 80) + "\" are refused; MCP clients call without an "
                        + "Origin header or from a loopback origin.",
                "forbidden_origin", null, null, null);
    }

    // The SOAP passthrough. io.oldguard.passthrough.SoapFaults writes each as a SOAP 1.1 fault.

    public static Refusal unsupportedSoapMediaType(String contentType) {
        boolean soap12 = contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/soap+xml");
        return new Refusal(415, TYPE_BASE + "unsupported-media-type", "Unsupported media type",
                (soap12 ? "SOAP 1.2 (application/soap+xml) is not served: the service's WSDL declares a SOAP 1.1 binding only"
                        : "The body was sent as " + (contentType == null ? "no content type" : "\"" + truncate(contentType, 60) + "\""))
                        + "; send a SOAP 1.1 envelope with Content-Type: text/xml.",
                "unsupported_media_type", null, null, null);
    }

    public static Refusal unsupportedCharset(String charset) {
        return new Refusal(415, TYPE_BASE + "unsupported-charset", "Unsupported charset",
                "The envelope is in charset \"" + truncate(charset, 40) + "\"; send UTF-8 (or UTF-16, ISO-8859-1, US-ASCII), "
                        + "named the same in the Content-Type and the XML declaration.",
                "unsupported_media_type", null, null, null);
    }

    public static Refusal unsupportedContentEncoding(String encoding) {
        return new Refusal(415, TYPE_BASE + "unsupported-content-encoding", "Unsupported content encoding",
                "The body is encoded as \"" + truncate(encoding, 40) + "\"; send it uncompressed or with Content-Encoding: gzip.",
                "unsupported_media_type", null, null, Map.of("Accept-Encoding", "gzip, identity"));
    }

    /** A gzip body that inflates past the body limit (a decompression bomb, or just too much). */
    public static Refusal inflatedTooLarge(int limitBytes) {
        return new Refusal(413, TYPE_BASE + "body-too-large", "Request body too large",
                "The gzip body inflates to more than " + limitBytes + " bytes; an envelope must fit in " + limitBytes + " bytes.",
                "body_too_large", ext("limitBytes", limitBytes), null, null);
    }

    /** A gzip body that inflates far beyond any envelope's compression: a compression bomb, however small its result. */
    public static Refusal inflatesTooFar(int maxRatio) {
        return new Refusal(413, TYPE_BASE + "body-too-large", "Request body too large",
                "The gzip body inflates to more than " + maxRatio + " times its compressed size, which no envelope does;"
                        + " send the envelope uncompressed, or compressed less.",
                "body_too_large", ext("maxInflationRatio", maxRatio), null, null);
    }

    /** Not XML, or XML the parser gave up on (a limit of its own, an undeclared entity, ...). */
    public static Refusal malformedXml(String problem) {
        return new Refusal(400, TYPE_BASE + "malformed-xml", "Malformed XML",
                "The body is not a well-formed XML document (" + truncate(problem, 160) + "); send one SOAP 1.1 envelope.",
                "malformed_xml", null, null, null);
    }

    /** A construct the passthrough never accepts: DTDs, entities, processing instructions, XInclude, ... */
    public static Refusal forbiddenXml(String construct, String expected) {
        return new Refusal(400, TYPE_BASE + "forbidden-xml", "Forbidden XML construct",
                "The envelope contains " + truncate(construct, 120) + ", which oldguard never forwards; " + expected + ".",
                "forbidden_xml", ext("construct", truncate(construct, 120)), null, null);
    }

    /** @param setting the {@code sidecar.yaml} key of the limit, so an operator knows what to raise */
    public static Refusal xmlLimitExceeded(String what, long limit, String setting) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("limit", limit);
        ext.put("setting", setting);
        return new Refusal(400, TYPE_BASE + "xml-limit-exceeded", "XML limit exceeded",
                "The envelope has " + what + " (at most " + limit + " allowed); inventory requests are small and flat.",
                "xml_limit_exceeded", ext, null, null);
    }

    /** @param got what was found instead of a SOAP 1.1 envelope, or what is wrong with it */
    public static Refusal notSoapEnvelope(String got) {
        return new Refusal(400, TYPE_BASE + "not-a-soap-envelope", "Not a SOAP envelope",
                truncate(got, 160) + "; send one SOAP 1.1 Envelope whose Body holds exactly one operation element.",
                "not_soap_envelope", null, null, null);
    }

    public static Refusal soapVersionMismatch(String namespace) {
        return new Refusal(400, TYPE_BASE + "soap-version-mismatch", "SOAP version mismatch",
                "The envelope is in namespace " + truncate(namespace, 80) + "; this service speaks SOAP 1.1 only "
                        + "(http://schemas.xmlsoap.org/soap/envelope/).",
                SOAP_VERSION_MISMATCH, null, null, null);
    }

    public static Refusal unknownSoapOperation(String element, Collection<String> known) {
        return new Refusal(400, TYPE_BASE + "unknown-operation", "Unknown operation",
                "The Body holds " + truncate(element, 120) + ", which is not an operation of this service; expected one of "
                        + String.join(", ", known) + ".", "unknown_tool", null, null, null);
    }

    /**
     * The SOAPAction header (or WS-Addressing Action) names another operation than the Body: refused, never routed
     * by either.
     *
     * @param source "SOAPAction header" or "WS-Addressing Action"
     */
    public static Refusal soapActionMismatch(String source, String action, String operation, String expected) {
        return new Refusal(400, TYPE_BASE + "soap-action-mismatch", "SOAPAction does not match the Body",
                "The " + source + " is \"" + truncate(action, 120) + "\" but the Body holds " + operation
                        + "; send \"" + expected + "\" (or none) with this operation.",
                "soap_action_mismatch", null, null, null);
    }

    /** WS-Addressing asking for the answer to go somewhere else than back on this connection. */
    public static Refusal foreignReplyAddress(String header, String address) {
        return new Refusal(400, TYPE_BASE + "foreign-reply-address", "Reply address refused",
                "The WS-Addressing " + header + " points to " + truncate(address, 120) + "; oldguard only answers on the "
                        + "same connection, so " + header + " must be absent or the anonymous address.",
                "foreign_reply_address", null, null, null);
    }

    /**
     * The Fixed Format Error: 422 with every violation, the first one's sentence as the detail.
     *
     * @param agentHalted whether this call also halted the agent, so the model knows retrying is pointless
     */
    public static Refusal invalidArguments(String tool, List<Violation> violations, boolean agentHalted) {
        String detail = violations.get(0).message()
                + (violations.size() > 1 ? " (" + (violations.size() - 1) + " more problem"
                        + (violations.size() > 2 ? "s" : "") + " in violations.)" : "");
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("tool", tool);
        ext.put("violations", violations);
        if (agentHalted) {
            ext.put("agentHalted", true);
        }
        return new Refusal(422, TYPE_BASE + "fixed-format-error", "Fixed Format Error", detail,
                "invalid_arguments", ext, null, null);
    }

    /** Outcomes of the answers about approvals; an MCP client reads each as the result of its call. */
    public static final String APPROVAL_REQUIRED = "approval_required";
    public static final String APPROVAL_DENIED = "approval_denied";
    public static final String APPROVAL_EXPIRED = "approval_expired";

    /**
     * A call held for a human's approval: 202, nothing sent. The agent waits and sends the identical call again;
     * the same arguments find the same request, any change makes a new one.
     */
    public static Refusal approvalRequired(Approval approval) {
        return new Refusal(202, TYPE_BASE + "approval-required", "Approval required",
                "This call of " + approval.tool() + " needs a human's approval and was not sent. Wait for the operator "
                        + "to approve request " + approval.id() + ", then send the identical call again (same tool, same "
                        + "arguments) before " + approval.expiresAt() + "; a call with any argument changed needs an "
                        + "approval of its own.", APPROVAL_REQUIRED, approvalExt(approval), null, null);
    }

    public static Refusal approvalDenied(Approval approval) {
        Map<String, Object> ext = approvalExt(approval);
        ext.put("reason", approval.reason());
        return new Refusal(403, TYPE_BASE + "approval-denied", "Approval denied",
                "An operator denied this call of " + approval.tool() + " (request " + approval.id() + "): "
                        + truncate(approval.reason(), 200) + ". Do not send it again.", APPROVAL_DENIED, ext, null, null);
    }

    public static Refusal approvalExpired(Approval approval) {
        return new Refusal(410, TYPE_BASE + "approval-expired", "Approval expired",
                "Request " + approval.id() + " to call " + approval.tool() + " expired at " + approval.expiresAt()
                        + (approval.decidedAt() == null ? " before anyone decided it" : " before the approved call came")
                        + "; nothing was sent. Send the call again to ask for a new approval.",
                APPROVAL_EXPIRED, approvalExt(approval), null, null);
    }

    /** Admin API: no request with this id (never made, or expired and cleared). */
    public static Refusal unknownApproval(String id) {
        return new Refusal(404, TYPE_BASE + "unknown-approval", "Unknown approval",
                "There is no approval request " + truncate(id, 64) + "; list them with GET /v1/approvals.",
                "unknown_approval", null, null, null);
    }

    /** Admin API: the request was decided already, or expired, and cannot be decided again. */
    public static Refusal approvalNotPending(Approval approval) {
        return new Refusal(409, TYPE_BASE + "approval-not-pending", "Approval already decided",
                "Request " + approval.id() + " is " + approval.state().name().toLowerCase(java.util.Locale.ROOT)
                        + "; only a pending request can be approved" + (approval.state() == Approval.State.APPROVED
                        ? ", and an approved one can still be denied." : "."),
                "approval_not_pending", ext("state", approval.state()), null, null);
    }

    private static Map<String, Object> approvalExt(Approval approval) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("tool", approval.tool());
        ext.put("approvalId", approval.id());
        ext.put("argumentsHash", approval.argumentsHash());
        ext.put("expiresAt", approval.expiresAt().toString());
        return ext;
    }

    public static Refusal halted(Halt halt) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("agent", halt.agent());
        ext.put("reason", halt.reason());
        ext.put("haltedSince", halt.since().toString());
        if (halt.until() != null) {
            ext.put("haltedUntil", halt.until().toString());
        }
        return new Refusal(423, TYPE_BASE + "agent-halted", "Agent halted",
                "Agent " + halt.agent() + " is halted since " + halt.since() + " (" + halt.detail() + "); "
                        + (halt.until() == null ? "an operator must release it before it can call any tool."
                                : "the halt lifts at " + halt.until() + "."),
                "halted", ext, null, null);
    }

    public static Refusal adminDisabled() {
        return new Refusal(403, TYPE_BASE + "admin-disabled", "Admin API disabled",
                "No admin token is configured; set admin.tokenEnv or admin.tokenFile in sidecar.yaml to use the admin API.",
                "admin_disabled", null, null, null);
    }

    public static Refusal adminUnauthenticated() {
        return new Refusal(401, TYPE_BASE + "unauthenticated", "Unauthenticated",
                "The admin API needs the admin token as \"Authorization: Bearer <token>\".",
                "unauthenticated", null, null, Map.of("WWW-Authenticate", "Bearer realm=\"oldguard-admin\""));
    }

    /** Too many wrong admin tokens from one address: refused unseen until the lockout ends. */
    public static Refusal adminThrottled(Duration retryAfter) {
        return new Refusal(429, TYPE_BASE + "admin-auth-throttled", "Too many failed attempts",
                "Too many requests with a wrong or missing admin token came from this address; it is locked out for "
                        + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " s.",
                "admin_auth_throttled", null, retryAfter, null);
    }

    public static Refusal unknownAgent(String agent, Collection<String> known) {
        return new Refusal(404, TYPE_BASE + "unknown-agent", "Unknown agent",
                "There is no agent named " + agent + "; the agents are: " + String.join(", ", known.stream().sorted().toList()) + ".",
                "unknown_agent", null, null, null);
    }

    /** A manual halt of an agent already halted without a cool-off: the halt in force, and its reason, stay. */
    public static Refusal alreadyHalted(Halt halt) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("agent", halt.agent());
        ext.put("reason", halt.reason());
        ext.put("haltedSince", halt.since().toString());
        return new Refusal(409, TYPE_BASE + "already-halted", "Agent already halted",
                "Agent " + halt.agent() + " is already halted since " + halt.since() + " (" + halt.detail()
                        + "); that halt and its reason stay. Release the agent first to halt it with another reason.",
                "already_halted", ext, null, null);
    }

    public static Refusal notHalted(String agent) {
        return new Refusal(404, TYPE_BASE + "not-halted", "Agent not halted",
                "Agent " + agent + " is not halted; nothing to release.", "not_halted", null, null, null);
    }

    /**
     * Over an agent limit: 429 with the bucket's own estimate as {@code Retry-After}, and the limit in the
     * {@code RateLimit-Policy} / {@code RateLimit} headers (IETF httpapi rate-limit fields).
     */
    public static Refusal rateLimited(String scope, String agent, String tool, Rate rate, long remaining, Duration wait) {
        Duration retryAfter = wait.isZero() ? Duration.ofSeconds(1) : wait;
        long retrySeconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("scope", scope);
        ext.put("limit", rate.toString());
        ext.put("tool", tool);
        Map<String, String> headers = Map.of(
                "RateLimit-Policy", "\"" + scope + "\";q=" + rate.amount() + ";w=" + rate.period().toSeconds(),
                "RateLimit", "\"" + scope + "\";r=" + Math.max(0, remaining) + ";t=" + retrySeconds);
        String which = scope.equals("tool") ? "its limit of " + rate + " for " + tool : "its limit of " + rate;
        return new Refusal(429, TYPE_BASE + "rate-limited", "Rate limited",
                "Agent " + agent + " exceeded " + which + "; wait " + retrySeconds + " s before the next call.",
                "rate_limited_" + scope, ext, retryAfter, headers);
    }

    /**
     * The agent already has its cap of calls in flight. 429, not 503: the agent's own concurrency is too high while
     * the backend may be perfectly well, so it must neither page whoever watches the service's 5xx nor count
     * against the backend. {@code Retry-After} is a second, about as long as a call takes.
     */
    public static Refusal tooManyInFlight(String agent, String tool, int maxInFlight) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("scope", "in_flight");
        ext.put("maxInFlight", maxInFlight);
        ext.put("tool", tool);
        return new Refusal(429, TYPE_BASE + "too-many-in-flight", "Too many calls in flight",
                "Agent " + agent + " already has " + maxInFlight + " calls in flight, its limit; wait for one of them "
                        + "to be answered before calling " + tool + " again.",
                "rate_limited_in_flight", ext, Duration.ofSeconds(1), null);
    }

    /** The backend's shared queue is full or the wait for a turn would pass the bound: 503, try later. */
    public static Refusal backendSaturated(String backend, String why, Duration retryAfter) {
        return new Refusal(503, TYPE_BASE + "backend-saturated", "Backend saturated",
                "The " + backend + " service is at its limit (" + why + "); try again in "
                        + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " s.",
                "backend_saturated", ext("backend", backend), retryAfter, null);
    }

    /**
     * Fleet mode with {@code cluster.fallback: refuse}: the shared limits cannot be checked while Redis is away, so
     * the call is not made. 503: the agent's call was fine; it may try again later.
     */
    public static Refusal sharedLimitsUnavailable(Duration retryAfter) {
        return new Refusal(503, TYPE_BASE + "shared-limits-unavailable", "Shared limits unavailable",
                "oldguard cannot check the fleet's shared limits right now, so the call was not made; try again in "
                        + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " s.",
                "store_unavailable", null, retryAfter, null);
    }

    /** The breaker is open: fail fast, and say when the next probe may go through. */
    public static Refusal circuitOpen(String backend, Duration retryAfter) {
        return new Refusal(503, TYPE_BASE + "circuit-open", "Backend circuit open",
                "The " + backend + " service is failing, so oldguard is not sending it calls; try again in "
                        + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " s.",
                "circuit_open", ext("backend", backend), retryAfter, null);
    }

    /** The legacy service itself asked for calls to be held back (HTTP 429/503 with its own Retry-After). */
    public static Refusal backendThrottled(String backend, int status, Duration retryAfter) {
        return new Refusal(503, TYPE_BASE + "backend-unavailable", "Backend unavailable",
                "The " + backend + " service answered HTTP " + status + " and asked for calls to be held back; try again in "
                        + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " s.",
                "backend_throttled", ext("backend", backend), retryAfter, null);
    }

    /** A SQL tool's database failed in a way the agent should know by kind only; never with SQL or names. */
    public static Refusal databaseFailure(String database, int status, String type, String outcome, String what,
            Duration retryAfter) {
        return new Refusal(status, TYPE_BASE + type, "Database " + type.substring(3).replace('-', ' '),
                "The " + database + " database " + what + (retryAfter == null ? "." : "; try again later."),
                outcome, ext("database", database), retryAfter, null);
    }

    /**
     * A SOAP fault. A Client fault is the legacy service refusing this request (unknown item, no stock): the
     * agent's business, told with the fault string. A Server fault is the service failing: a gateway error whose
     * fault string (the 2008 service puts raw database errors there) goes to the log, never to the agent.
     */
    public static Refusal soapFault(String backend, String faultCode, String faultString) {
        boolean clientFault = faultCode != null && faultCode.toLowerCase(java.util.Locale.ROOT).endsWith("client");
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("backend", backend);
        ext.put("faultCode", faultCode == null ? "" : faultCode);
        if (clientFault) {
            ext.put("faultString", truncate(faultString == null ? "" : faultString, 500));
            return new Refusal(422, TYPE_BASE + "soap-fault", "Refused by the legacy service",
                    "The legacy service refused the call with a SOAP " + faultCode + " fault: "
                            + truncate(faultString == null ? "" : faultString, 200), SOAP_CLIENT_FAULT, ext, null, null);
        }
        return new Refusal(502, TYPE_BASE + "soap-fault", "Legacy service failed",
                "The " + backend + " service failed with a SOAP " + (faultCode == null ? "" : faultCode + " ")
                        + "fault; the details are in oldguard's log. Try again later.",
                "soap_server_fault", ext, null, null);
    }

    public static Refusal backendUnavailable(String backend, String why, Duration retryAfter) {
        return new Refusal(503, TYPE_BASE + "backend-unavailable", "Backend unavailable",
                "The " + backend + " service cannot be reached (" + why + "); try again later, do not retry at once.",
                "backend_unavailable", ext("backend", backend), retryAfter, null);
    }

    public static Refusal backendBusy(String backend, String why, Duration retryAfter) {
        return new Refusal(503, TYPE_BASE + "backend-busy", "Backend busy",
                "The " + backend + " service is busy: " + why + "; try again later.",
                "backend_busy", ext("backend", backend), retryAfter, null);
    }

    public static Refusal backendTimeout(String backend, Duration timeout) {
        return new Refusal(504, TYPE_BASE + "backend-timeout", "Backend timeout",
                "The " + backend + " service did not answer within " + timeout.toMillis() + " ms; the call was abandoned.",
                "backend_timeout", ext("backend", backend), null, null);
    }

    public static Refusal badGateway(String backend, String what) {
        return new Refusal(502, TYPE_BASE + "bad-gateway", "Bad answer from the legacy service",
                "The " + backend + " service answered with something oldguard cannot read (" + truncate(what, 160) + ").",
                "bad_gateway", ext("backend", backend), null, null);
    }

    /** The caller went away; nobody reads this, but metrics and the audit line do. */
    public static Refusal cancelled() {
        return new Refusal(499, TYPE_BASE + "cancelled", "Cancelled",
                "The call was cancelled because the client closed the connection.", "cancelled", null, null, null);
    }

    public static Refusal internalError(String requestId) {
        return new Refusal(500, TYPE_BASE + "internal-error", "Internal error",
                "oldguard failed while handling this call; the operator can find it in the log under request id " + requestId + ".",
                "internal_error", null, null, null);
    }

    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    private static Map<String, Object> ext(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }
}
