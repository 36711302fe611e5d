package io.oldguard.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request ids: the caller's {@code X-Request-Id} when it is a sane token, otherwise a fresh random one. */
public final class RequestIds {

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private RequestIds() {
    }

    public static String from(HttpHeaders headers) {
        String given = headers.get("X-Request-Id");
        return given != null && SANE.matcher(given).matches() ? given : fresh();
    }

    public static String fresh() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }
}
