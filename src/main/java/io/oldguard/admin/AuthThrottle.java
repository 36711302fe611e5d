package io.oldguard.admin;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing of the admin token, per peer address: the first {@link #FREE_FAILURES} wrong or missing
 * tokens cost nothing (an operator mistypes), then each further failure locks the address out for a while that
 * doubles every time — 1 s, 2 s, 4 s, … up to a minute — during which its requests are refused at once, token
 * unseen. So a guesser gets about one try a minute. A success clears the address. It only decides; nobody
 * waits, so the admin event loop is never held. At most {@link #MAX_PEERS} addresses are remembered.
 */
final class AuthThrottle {

    static final int FREE_FAILURES = 5;
    static final Duration FIRST_LOCKOUT = Duration.ofSeconds(1);
    static final Duration MAX_LOCKOUT = Duration.ofMinutes(1);
    private static final int MAX_PEERS = 10_000;

    private record Failures(int count, Instant lockedUntil) {
    }

    private final Map<InetAddress, Failures> peers = new ConcurrentHashMap<>();
    private final Clock clock;

    AuthThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long the address is still locked out; zero when it may try. */
    Duration lockedFor(InetAddress peer) {
        Failures f = peers.get(peer);
        if (f == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), f.lockedUntil());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Counts a failure; returns the lockout it starts, zero while the address still has free failures. */
    Duration failed(InetAddress peer) {
        Instant now = clock.instant();
        if (peers.size() >= MAX_PEERS) {
            forgetQuiet(now);
        }
        Failures f = peers.merge(peer, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
        Duration lockout = lockout(f.count());
        if (!lockout.isZero()) {
            peers.put(peer, new Failures(f.count(), now.plus(lockout)));
        }
        return lockout;
    }

    void succeeded(InetAddress peer) {
        peers.remove(peer);
    }

    static Duration lockout(int failures) {
        if (failures < FREE_FAILURES) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - FREE_FAILURES, 16);
        Duration d = FIRST_LOCKOUT.multipliedBy(1L << doublings);
        return d.compareTo(MAX_LOCKOUT) > 0 ? MAX_LOCKOUT : d;
    }

    /**
     * Addresses whose lockout ended a full {@link #MAX_LOCKOUT} ago are forgotten; if a flood from many
     * addresses still fills the map, all are, which only hands each its free failures again.
     */
    private void forgetQuiet(Instant now) {
        peers.values().removeIf(f -> f.lockedUntil().plus(MAX_LOCKOUT).isBefore(now));
        if (peers.size() >= MAX_PEERS) {
            peers.clear();
        }
    }
}
