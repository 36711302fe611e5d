package io.oldguard.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request ids: the caller's {@code X-Request-Id} when it is a sane token, otherwise a fresh random one. */
public final class RequestIds {

    /** The header's name, encoded once (Netty copies an {@link AsciiString}'s bytes; a String it encodes per char). */
    public static final AsciiString HEADER = AsciiString.cached("X-Request-Id");

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private RequestIds() {
    }

    public static String from(HttpHeaders headers) {
        String given = headers.get(HEADER);
        return given != null && SANE.matcher(given).matches() ? given : fresh();
    }

    public static String fresh() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }
}
