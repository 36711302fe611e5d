package io.oldguard.admin;

import io.oldguard.config.Secrets;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks the admin token on the state-changing admin API; compares hashes in constant time. */
final class AdminAuth {

    private final byte[] tokenHash;

    /** @param tokenHash SHA-256 hex of the admin token, or null when none is configured */
    AdminAuth(String tokenHash) {
        this.tokenHash = tokenHash == null ? null : tokenHash.getBytes(StandardCharsets.US_ASCII);
    }

    /** Null when allowed, else why not. */
    Refusal check(String authorization) {
        if (tokenHash == null) {
            return Refusals.adminDisabled();
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Refusals.adminUnauthenticated();
        }
        byte[] presented = Secrets.sha256(authorization.substring(7).strip()).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(presented, tokenHash) ? null : Refusals.adminUnauthenticated();
    }
}
