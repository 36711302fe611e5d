package io.oldguard.store;

import io.lettuce.core.ScriptOutputType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@link SharedRecords} in three Redis hashes (values, stamps, writers), written by a compare-the-stamp script. */
final class RedisRecords implements SharedRecords {

    // KEYS: values, stamps and writers hashes; ARGV: field, value, stamp, writer. A tie in stamps goes to the writer
    // whose id sorts last; the same writer may write the same stamp again (a re-publish of the same).
    private static final String PUT = """
            local current = redis.call('HGET', KEYS[2], ARGV[1])
            if current then
              local stamp = tonumber(current)
              local writer = redis.call('HGET', KEYS[3], ARGV[1]) or ''
              if stamp > tonumber(ARGV[3]) or (stamp == tonumber(ARGV[3]) and writer > ARGV[4]) then
                return 0
              end
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
            return 1
            """;
    // KEYS: values, stamps and writers hashes. All in one script, so a write between two reads cannot pair a
    // decision with another decision's stamp (which would make a sidecar take an old decision for the newest and
    // keep it).
    private static final String ALL = "return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]),"
            + " redis.call('HGETALL', KEYS[3])}";

    private final RedisState state;
    private final String values;
    private final String stamps;
    private final String writers;
    private final String generation;

    RedisRecords(RedisState state, String key) {
        this.state = state;
        this.values = key;
        this.stamps = key + ":stamps";
        this.writers = key + ":writers";
        this.generation = key + ":generation";
    }

    @Override
    public boolean put(String key, String value, long stamp, String writer) {
        Long written = state.eval("halts", PUT, new String[] {values, stamps, writers}, key, value, Long.toString(stamp),
                writer);
        return written != null && written == 1;
    }

    @Override
    public Map<String, Stamped> all() {
        RedisState.Connections c = state.usable();
        if (c == null) {
            throw state.unavailable();
        }
        return state.health().call("halts", () -> {
            List<Object> read = c.text().sync().eval(ALL, ScriptOutputType.MULTI, values, stamps, writers);
            Map<String, String> v = pairs(read.get(0));
            Map<String, String> s = pairs(read.get(1));
            Map<String, String> w = pairs(read.get(2));
            Map<String, Stamped> all = new HashMap<>();
            v.forEach((k, value) -> all.put(k, new Stamped(value, Long.parseLong(s.getOrDefault(k, "0")), w.getOrDefault(k, ""))));
            return all;
        });
    }

    /** An HGETALL's answer inside a script's: field, value, field, value... */
    private static Map<String, String> pairs(Object flat) {
        Map<String, String> map = new HashMap<>();
        if (flat instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                map.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
            }
        }
        return map;
    }

    @Override
    public String generation() {
        return state.setIfAbsentAndGet("halts", generation, UUID.randomUUID().toString());
    }
}
