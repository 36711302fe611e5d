package io.oldguard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.Secrets;
import io.oldguard.guard.Refusal;
import io.oldguard.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Repeated admin token failures from one address are slowed down, on fake time; other addresses are not. */
class AdminAuthTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final String GOOD = "Bearer " + TOKEN;
    private static final String BAD = "Bearer wrong-token-0123456789abcdef";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    private final AdminAuth auth = new AdminAuth(Secrets.sha256(TOKEN), new AuthThrottle(clock));
    private final InetAddress guesser = address(10, 0, 0, 66);
    private final InetAddress operator = address(10, 0, 0, 7);

    @Test
    void theRightTokenIsAllowed() {
        assertThat(auth.check(GOOD, operator)).isNull();
    }

    @Test
    void aFewWrongTokensAreOnlyRefused() {
        for (int i = 1; i < AuthThrottle.FREE_FAILURES; i++) {
            assertThat(auth.check(BAD, guesser).status()).isEqualTo(401);
        }
        assertThat(auth.check(GOOD, guesser)).isNull();
    }

    @Test
    void repeatedFailuresLockTheAddressOutEvenWithTheRightToken() {
        failTimes(AuthThrottle.FREE_FAILURES);

        Refusal refusal = auth.check(GOOD, guesser);

        assertThat(refusal.status()).isEqualTo(429);
        assertThat(refusal.type()).endsWith("/admin-auth-throttled");
        assertThat(refusal.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theLockoutEndsOnTimeAndTheRightTokenThenClearsIt() {
        failTimes(AuthThrottle.FREE_FAILURES);
        clock.advance(Duration.ofSeconds(1));

        assertThat(auth.check(GOOD, guesser)).isNull();
        assertThat(auth.check(BAD, guesser).status()).as("free failures again").isEqualTo(401);
    }

    @Test
    void eachFailureAfterALockoutDoublesItUpToAMinute() {
        failTimes(AuthThrottle.FREE_FAILURES);
        clock.advance(Duration.ofSeconds(1));
        auth.check(BAD, guesser);

        assertThat(auth.check(GOOD, guesser).retryAfter()).isEqualTo(Duration.ofSeconds(2));
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(1));
            auth.check(BAD, guesser);
        }
        assertThat(auth.check(GOOD, guesser).retryAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void anotherAddressIsNotSlowedDown() {
        failTimes(AuthThrottle.FREE_FAILURES + 3);

        assertThat(auth.check(GOOD, operator)).isNull();
    }

    @Test
    void aMissingTokenCountsAsAFailure() {
        for (int i = 0; i < AuthThrottle.FREE_FAILURES; i++) {
            auth.check(null, guesser);
        }

        assertThat(auth.check(GOOD, guesser).status()).isEqualTo(429);
    }

    private void failTimes(int n) {
        for (int i = 0; i < n; i++) {
            auth.check(BAD, guesser);
        }
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
