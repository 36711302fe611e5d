package io.oldguard.store;

import java.time.Duration;
import java.util.UUID;

/**
 * Error streaks counted across the fleet: per agent a sorted set of fault times (Redis time) within the window.
 * While the store is away, this sidecar counts on its own.
 */
final class RedisStreaks implements Streaks {

    // KEYS[1] the agent's set; ARGV: window (ms), a unique member. Returns the streak with this fault. It does not
    // end the streak at the threshold itself: if its answer were lost (a timeout), the streak would be gone and no
    // halt decided; the sidecar ends it once it has the answer.
    private static final String FAULT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now, ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
            redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
            return redis.call('ZCARD', KEYS[1])
            """;

    @Override
    public boolean local() {
        return false;
    }

    private final RedisState state;

    RedisStreaks(RedisState state) {
        this.state = state;
    }

    @Override
    public int fault(String agent, Duration window, int threshold) {
        try {
            Long n = state.eval("streak", FAULT, new String[] {key(agent)}, Long.toString(window.toMillis()),
                    UUID.randomUUID().toString());
            int length = n == null ? 0 : n.intValue();
            if (length >= threshold) {
                // Awaited, so that the next fault anywhere starts a new streak; if it fails, the next fault still
                // finds the streak at the threshold (the agent is halted by then) and the window ends it.
                endNow(agent);
            }
            return length;
        } catch (RuntimeException e) {
            return state.fallback().streaks().fault(agent, window, threshold);
        }
    }

    @Override
    public void success(String agent) {
        state.fallback().streaks().success(agent);
        end(agent);
    }

    private void endNow(String agent) {
        RedisState.Connections c = state.usable();
        if (c != null) {
            try {
                state.health().call("streak", () -> c.text().sync().unlink(key(agent)));
            } catch (RuntimeException e) {
                // Recorded by the health check.
            }
        }
    }

    /** Ends the fleet's streak of the agent, without waiting; if this is lost, the streak's window still ends it. */
    private void end(String agent) {
        RedisState.Connections c = state.upNow();
        if (c != null) {
            c.text().async().unlink(key(agent));
        }
    }

    private String key(String agent) {
        return state.key("streak:" + agent);
    }
}
