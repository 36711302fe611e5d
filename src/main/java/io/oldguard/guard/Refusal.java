package io.oldguard.guard;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A refused or failed call as an RFC 9457 problem. Built only by {@link Refusals}, so every transport says the
 * same thing for the same cause.
 *
 * @param outcome    short stable label for metrics and logs ({@code unauthenticated}, {@code soap_fault}, ...)
 * @param extensions extra problem members (violations, fault code, ...), serialised as they are
 * @param retryAfter when the caller may try again, or null
 * @param headers    extra response headers (e.g. {@code WWW-Authenticate})
 */
public record Refusal(int status, String type, String title, String detail, String outcome,
        Map<String, Object> extensions, Duration retryAfter, Map<String, String> headers) implements Verdict {

    public Refusal {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
        // Insertion order is kept: it is the order members appear in the problem document.
        extensions = extensions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
