import io.github.bucket4j.TimeMeter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.config.ClusterConfig;
import io.oldguard.config.Rate;
import io.oldguard.store.Leases;
import io.oldguard.store.RedisState;
import io.oldguard.store.TokenBucket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * What fleet mode's Redis operations cost a call on this machine, each on its own, paced like a call stream
 * (bench/redis-floor.sh). It drives the sidecar's own store (RedisState: Bucket4j's Lettuce proxy manager,
 * compare-and-swap, and the lease script) from one virtual thread, as a call does, and reports the p50 and p90 of:
 * <ul>
 *   <li>a bare GET: one loopback round trip and its wake-ups, the floor under any Redis operation;</li>
 *   <li>one bucket, synchronous (the shaper's form) and asynchronous (the rate limits' form);</li>
 *   <li>two buckets at once (the agent's and the agent x tool's, as RateLimitGuard asks them);</li>
 *   <li>one lease taken (the fleet's in-flight cap);</li>
 *   <li>the whole sequence a call waits for: the two buckets at once, then the backend's bucket, then the lease.</li>
 * </ul>
 * Args: rate (operations per second, paced), seconds per measurement, Redis URL.
 */
public class RedisFloor {

    public static void main(String[] args) throws Exception {
        int rate = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        String url = args[2];
        String prefix = "og-floor-" + ProcessHandle.current().pid();
        ClusterConfig config = new ClusterConfig(url, null, null, "floor", prefix, Duration.ofMillis(200),
                Duration.ofMillis(500), Duration.ofMillis(100), "local", 0.25);
        RedisState state = RedisState.connect(config, null, "floor", TimeMeter.SYSTEM_NANOTIME, Clock.systemUTC(),
                new SimpleMeterRegistry());
        RedisClient client = RedisClient.create(url);
        StatefulRedisConnection<String, String> text = client.connect();
        // Far above the load: every operation takes its tokens, as in bench/cluster.sh.
        Rate wide = Rate.parse("1000000/s burst 1000000");
        TokenBucket agent = state.bucket("agent|floor", wide);
        TokenBucket tool = state.bucket("tool|floor/GetStock", wide);
        TokenBucket backend = state.bucket("backend|floor", wide);
        Leases leases = state.leases("floor", 1000);

        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("GET (one round trip)", () -> text.sync().get(prefix + ":nothing"));
        ops.put("bucket, synchronous", () -> backend.tryConsume(1));
        ops.put("bucket, asynchronous", () -> agent.tryConsumeAsync(1).join());
        ops.put("two buckets at once", () -> {
            CompletableFuture<?> a = agent.tryConsumeAsync(1);
            CompletableFuture<?> b = tool.tryConsumeAsync(1);
            a.join();
            b.join();
        });
        ops.put("lease", () -> leases.acquire(Duration.ZERO, Instant.now().plusSeconds(5)).close());
        ops.put("a call's sequence", () -> {
            CompletableFuture<?> a = agent.tryConsumeAsync(1);
            CompletableFuture<?> b = tool.tryConsumeAsync(1);
            a.join();
            b.join();
            backend.tryConsume(1);
            leases.acquire(Duration.ZERO, Instant.now().plusSeconds(5)).close();
        });

        System.out.printf("# RedisFloor: %d operations/s, %d s each, %s%n", rate, seconds, url);
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                for (int round = 0; round < 2; round++) {
                    boolean warmup = round == 0;
                    for (Map.Entry<String, Op> op : ops.entrySet()) {
                        long[] took = pace(op.getValue(), rate, warmup ? Math.max(2, seconds / 2) : seconds);
                        if (!warmup) {
                            Arrays.sort(took);
                            System.out.printf("RESULT op=\"%s\" n=%d p50=%.3f p90=%.3f p99=%.3f ms%n", op.getKey(), took.length,
                                    took[took.length / 2] / 1e6, took[took.length * 9 / 10] / 1e6, took[took.length * 99 / 100] / 1e6);
                        }
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        runner.join();
        text.sync().eval("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0",
                io.lettuce.core.ScriptOutputType.INTEGER, new String[0], prefix + ":*");
        text.close();
        client.shutdown();
        state.close();
        System.exit(0);
    }

    /** Runs op at rate per second for seconds, open loop from one thread; returns each run's time in ns. */
    private static long[] pace(Op op, int rate, int seconds) throws Exception {
        int n = rate * seconds;
        long[] took = new long[n];
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long start = System.nanoTime();
            op.run();
            took[i] = System.nanoTime() - start;
            next += interval;
        }
        return took;
    }

    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }
}
