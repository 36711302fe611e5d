package io.oldguard.store;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** {@link SharedRecords} in two Redis hashes (values and stamps), written by a compare-the-stamp script. */
final class RedisRecords implements SharedRecords {

    // KEYS: values hash, stamps hash; ARGV: field, value, stamp. A tie writes again (a re-publish of the same).
    private static final String PUT = """
            local current = redis.call('HGET', KEYS[2], ARGV[1])
            if current and tonumber(current) > tonumber(ARGV[3]) then
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            return 1
            """;

    private final RedisState state;
    private final String values;
    private final String stamps;
    private final String generation;

    RedisRecords(RedisState state, String key) {
        this.state = state;
        this.values = key;
        this.stamps = key + ":stamps";
        this.generation = key + ":generation";
    }

    @Override
    public boolean put(String key, String value, long stamp) {
        Long written = state.eval("halts", PUT, new String[] {values, stamps}, key, value, Long.toString(stamp));
        return written != null && written == 1;
    }

    @Override
    public Map<String, Stamped> all() {
        RedisState.Connections c = state.usable();
        if (c == null) {
            throw state.unavailable();
        }
        return state.health().call("halts", () -> {
            Map<String, String> v = c.text().sync().hgetall(values);
            Map<String, String> s = c.text().sync().hgetall(stamps);
            Map<String, Stamped> all = new HashMap<>();
            v.forEach((k, value) -> all.put(k, new Stamped(value, Long.parseLong(s.getOrDefault(k, "0")))));
            return all;
        });
    }

    @Override
    public String generation() {
        return state.setIfAbsentAndGet("halts", generation, UUID.randomUUID().toString());
    }
}
