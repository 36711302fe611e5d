package io.oldguard.call;

import java.util.Objects;

/**
 * Bytes that cross oldguard unchanged: a SOAP client's envelope on the way in, the legacy service's answer on
 * the way out. The array is never modified once built; callers must not modify it either.
 *
 * @param status HTTP status of an answer (0 for a request)
 */
public record RawMessage(int status, String contentType, byte[] body) {

    public RawMessage {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    public static RawMessage request(String contentType, byte[] body) {
        return new RawMessage(0, contentType, body);
    }
}
