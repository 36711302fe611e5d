package io.oldguard.admin;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.oldguard.audit.Events;
import io.oldguard.config.Secrets;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the admin token; compares hashes in constant time, and slows down an address that keeps failing
 * ({@link AuthThrottle}).
 */
final class AdminAuth {

    private static final Logger LOG = LoggerFactory.getLogger(AdminAuth.class);

    private final byte[] tokenHash;
    private final AuthThrottle throttle;

    /** @param tokenHash SHA-256 hex of the admin token, or null when none is configured */
    AdminAuth(String tokenHash, AuthThrottle throttle) {
        this.tokenHash = tokenHash == null ? null : tokenHash.getBytes(StandardCharsets.US_ASCII);
        this.throttle = throttle;
    }

    /** Null when allowed, else why not. Cheap and never waits: called on the event loop. */
    Refusal check(String authorization, InetAddress peer) {
        if (tokenHash == null) {
            return Refusals.adminDisabled();
        }
        Duration locked = throttle.lockedFor(peer);
        if (!locked.isZero()) {
            return Refusals.adminThrottled(locked);
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] presented = Secrets.sha256(authorization.substring(7).strip()).getBytes(StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(presented, tokenHash)) {
                throttle.succeeded(peer);
                return null;
            }
        }
        Duration lockout = throttle.failed(peer);
        if (!lockout.isZero()) {
            LOG.warn("admin token failures from {}: locked out for {} ms", peer.getHostAddress(), lockout.toMillis(),
                    kv("event", Events.ADMIN_AUTH_THROTTLED), kv("peer", peer.getHostAddress()),
                    kv("lockoutMs", lockout.toMillis()));
        }
        return Refusals.adminUnauthenticated();
    }
}
