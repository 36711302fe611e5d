package io.oldguard.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.oldguard.guard.Refusals;
import io.oldguard.http.BoundedJson;
import io.oldguard.http.HttpResponses;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operators' API for approvals, behind the admin token (checked by the admin port before this is called):
 * {@code GET /v1/approvals} lists them, {@code POST /v1/approvals/{id}/approve} and {@code …/deny} decide one,
 * with an optional {@code {"by": "alice", "reason": "…"}}. Blocking (the approvals file is written): called on a
 * virtual thread, never the event loop.
 */
public final class ApprovalsAdminApi {

    public static final String PREFIX = "/v1/approvals";
    private static final Pattern ACTION = Pattern.compile("/v1/approvals/(ap-[0-9a-f]{16})/(approve|deny)");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final BoundedJson BODY = new BoundedJson(4, 8192);

    private final ApprovalBook book;

    public ApprovalsAdminApi(ApprovalBook book) {
        this.book = book;
    }

    public FullHttpResponse handle(HttpMethod method, String path, byte[] body) {
        if (path.equals(PREFIX)) {
            return HttpMethod.GET.equals(method) ? list()
                    : HttpResponses.problem(Refusals.methodNotAllowed(method.name(), path, List.of("GET")), null);
        }
        Matcher m = ACTION.matcher(path);
        if (!m.matches()) {
            return HttpResponses.problem(path.startsWith(PREFIX + "/") && (path.endsWith("/approve") || path.endsWith("/deny"))
                    ? Refusals.unknownApproval(path.substring(PREFIX.length() + 1, path.lastIndexOf('/')))
                    : Refusals.notFound(path), null);
        }
        if (!HttpMethod.POST.equals(method)) {
            return HttpResponses.problem(Refusals.methodNotAllowed(method.name(), path, List.of("POST")), null);
        }
        JsonNode sent = JSON.createObjectNode();
        if (body.length > 0) {
            BoundedJson.Parsed parsed = BODY.parse(body);
            if (parsed.refusal() != null) {
                return HttpResponses.problem(parsed.refusal(), null);
            }
            sent = parsed.arguments();
        }
        String by = text(sent, "by", "operator");
        ApprovalBook.Decision decision = m.group(2).equals("approve") ? book.approve(m.group(1), by)
                : book.deny(m.group(1), by, text(sent, "reason", "no reason given"));
        return decision.refusal() != null ? HttpResponses.problem(decision.refusal(), null)
                : HttpResponses.json(HttpResponseStatus.OK, JSON.valueToTree(decision.approval()), null);
    }

    private FullHttpResponse list() {
        ObjectNode result = JSON.createObjectNode();
        result.set("approvals", JSON.valueToTree(book.all()));
        return HttpResponses.json(HttpResponseStatus.OK, result, null);
    }

    private static String text(JsonNode body, String member, String fallback) {
        String value = body.path(member).asText(null);
        return value == null || value.isBlank() ? fallback : value.length() > 200 ? value.substring(0, 200) : value;
    }
}
