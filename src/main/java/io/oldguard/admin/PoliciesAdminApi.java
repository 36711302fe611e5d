package io.oldguard.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.oldguard.guard.Refusals;
import io.oldguard.http.HttpResponses;
import io.oldguard.policy.PolicyStore;
import java.util.List;

/**
 * The operators' API for policies: the version in force, when it was loaded, the last reload's result (its
 * problems, and edited settings that need a restart), and a reload on demand. {@code GET /admin/policy} answers
 * the same as {@code GET /v1/policies}. Blocking (reads files, may check SQL tools against the database): called
 * on a virtual thread.
 */
final class PoliciesAdminApi {

    static final String PREFIX = "/v1/policies";
    static final String STATE = "/admin/policy";

    private final PolicyStore store;

    PoliciesAdminApi(PolicyStore store) {
        this.store = store;
    }

    /** Called once the admin token has been checked. */
    FullHttpResponse handle(HttpMethod method, String path) {
        if (path.equals(PREFIX) || path.equals(STATE)) {
            return HttpMethod.GET.equals(method) ? state(HttpResponseStatus.OK)
                    : HttpResponses.problem(Refusals.methodNotAllowed(method.name(), path, List.of("GET")), null);
        }
        if (path.equals(PREFIX + "/reload")) {
            if (!HttpMethod.POST.equals(method)) {
                return HttpResponses.problem(Refusals.methodNotAllowed(method.name(), path, List.of("POST")), null);
            }
            PolicyStore.Reload reload = store.reload();
            return state(reload.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY);
        }
        return HttpResponses.problem(Refusals.notFound(path), null);
    }

    private FullHttpResponse state(HttpResponseStatus status) {
        PolicyStore.Reload last = store.lastReload();
        ObjectNode body = HttpResponses.JSON.createObjectNode().put("version", store.get().version())
                .put("loadedAt", store.loadedAt().toString());
        ObjectNode reload = body.putObject("lastReload");
        reload.put("at", last.at().toString()).put("applied", last.applied()).put("version", last.version());
        last.problems().forEach(reload.putArray("problems")::add);
        last.restartRequired().forEach(reload.putArray("restartRequired")::add);
        return HttpResponses.json(status, body, null);
    }
}
