package io.oldguard.store;

import java.time.Duration;
import java.util.UUID;

/**
 * Error streaks counted across the fleet: per agent a sorted set of fault times (Redis time) within the window.
 * While the store is away, this sidecar counts on its own.
 */
final class RedisStreaks implements Streaks {

    // KEYS[1] the agent's set; ARGV: window (ms), threshold, a unique member. Returns the streak with this fault.
    private static final String FAULT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now, ARGV[3])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
            local n = redis.call('ZCARD', KEYS[1])
            if n >= tonumber(ARGV[2]) then
              redis.call('DEL', KEYS[1])
            else
              redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
            end
            return n
            """;

    private final RedisState state;

    RedisStreaks(RedisState state) {
        this.state = state;
    }

    @Override
    public int fault(String agent, Duration window, int threshold) {
        try {
            Long n = state.eval("streak", FAULT, new String[] {key(agent)}, Long.toString(window.toMillis()),
                    Integer.toString(threshold), UUID.randomUUID().toString());
            return n == null ? 0 : n.intValue();
        } catch (RuntimeException e) {
            return state.fallback().streaks().fault(agent, window, threshold);
        }
    }

    @Override
    public void success(String agent) {
        state.fallback().streaks().success(agent);
        RedisState.Connections c = state.upNow();
        if (c != null) {
            // Not awaited: a success must not wait on Redis; if this is lost, the streak's window still ends it.
            c.text().async().unlink(key(agent));
        }
    }

    private String key(String agent) {
        return state.key("streak:" + agent);
    }
}
