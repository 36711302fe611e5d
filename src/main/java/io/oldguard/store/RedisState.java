package io.oldguard.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.config.ClusterConfig;
import io.oldguard.config.Rate;
import io.oldguard.metrics.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleet mode: buckets, leases, error streaks and halts in one Redis shared by every sidecar. Buckets are
 * Bucket4j's distributed buckets (Lettuce, compare-and-swap); leases and streaks are small sorted sets changed by
 * short Lua scripts that read Redis's own clock, so sidecars' clocks need not agree.
 *
 * <p>Every operation is bounded by {@code cluster.timeout}. A failure trips {@link StoreHealth}: for
 * {@code retryAfter} every call uses the fallback ({@link LocalState} at {@code localShare} of each limit) or is
 * refused with 503, as configured, without touching Redis. A background task reconnects and probes it.
 */
public final class RedisState implements SharedState {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.store");
    // A bucket's key outlives the time it takes to refill by this much; then Redis forgets it (it is full anyway).
    private static final Duration BUCKET_KEEP = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final ClusterConfig config;
    private final String sidecarId;
    private final String prefix;
    private final ClientResources resources;
    private final RedisClient client;
    private final StoreHealth health;
    private final LocalState fallback;
    private final MeterRegistry metrics;
    private final ScheduledExecutorService probe;
    private final Map<String, RedisTokenBucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Versioned> configurationVersions = new ConcurrentHashMap<>();
    private final AtomicLong lastVersion = new AtomicLong();
    private final Map<String, RedisLeases> leases = new ConcurrentHashMap<>();
    private final RedisStreaks streaks;
    private final RedisRecords halts;
    private volatile Connections connections;

    /** The two connections to Redis: Bucket4j's (binary values) and ours (text). Lettuce reconnects both itself. */
    record Connections(StatefulRedisConnection<String, byte[]> buckets, StatefulRedisConnection<String, String> text,
            ProxyManager<String> proxies) {
        void close() {
            buckets.close();
            text.close();
        }
    }

    private RedisState(ClusterConfig config, String password, String sidecarId, TimeMeter time, Clock clock,
            MeterRegistry metrics) {
        this.config = config;
        this.sidecarId = sidecarId;
        this.prefix = config.keyPrefix() + ':';
        this.metrics = metrics;
        this.health = new StoreHealth(config.retryAfter(), metrics);
        this.fallback = LocalState.fallback(time, clock, sidecarId, config.localShare());
        RedisURI uri = RedisURI.create(config.redis());
        if (password != null) {
            uri.setAuthentication(password.toCharArray());
        }
        // The connection handshake may take longer than one command on a busy node; commands keep cluster.timeout.
        uri.setTimeout(CONNECT_TIMEOUT);
        // Reconnect attempts back off to at most retryAfter (Lettuce's own default grows to 30 s), so a Redis that
        // comes back is found again within about a second, not half a minute.
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), config.retryAfter(), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        // Commands fail at once while disconnected instead of queueing behind a reconnect: calls must not hang.
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .build());
        this.streaks = new RedisStreaks(this);
        this.halts = new RedisRecords(this, prefix + "halts");
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "oldguard-store-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to Redis; if it is not there yet, the sidecar starts on the fallback and keeps trying.
     *
     * @param password the AUTH password (from passwordEnv/passwordFile), or null
     */
    public static RedisState connect(ClusterConfig config, String password, String sidecarId, TimeMeter time, Clock clock,
            MeterRegistry metrics) {
        RedisState state = new RedisState(config, password, sidecarId, time, clock, metrics);
        state.tryConnect();
        long every = config.retryAfter().toMillis();
        state.probe.scheduleWithFixedDelay(state::probe, every, every, TimeUnit.MILLISECONDS);
        return state;
    }

    private void tryConnect() {
        try {
            StatefulRedisConnection<String, byte[]> binary = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            StatefulRedisConnection<String, String> text = client.connect(StringCodec.UTF8);
            ProxyManager<String> proxies = Bucket4jLettuce.casBasedBuilder(binary)
                    .requestTimeout(config.timeout())
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(BUCKET_KEEP))
                    .build();
            connections = new Connections(binary, text, proxies);
            health.succeeded();
            LOG.info("fleet mode: sharing limits and halts through {} as {}", config.redis(), sidecarId,
                    kv("event", "store.connected"), kv("sidecar", sidecarId));
        } catch (RuntimeException e) {
            health.failed("connect", e);
        }
    }

    /** Reconnects if the first connection never came up, and checks a store marked down so calls find it back fast. */
    private void probe() {
        try {
            if (connections == null) {
                tryConnect();
            } else if (health.down()) {
                health.call("ping", () -> connections.text().sync().ping());
            }
        } catch (RuntimeException e) {
            // Recorded by health; the next probe tries again.
        }
    }

    /**
     * The live connections, or null while the store must be left alone: down, and not yet due for a retry or
     * another call is making it. For an operation whose outcome is recorded (through {@link StoreHealth}).
     */
    Connections usable() {
        Connections c = connections;
        return c != null && health.usable() ? c : null;
    }

    /** The live connections while the store is up, else null: for what is sent without waiting for an answer. */
    Connections upNow() {
        Connections c = connections;
        return c != null && !health.down() ? c : null;
    }

    StoreHealth health() {
        return health;
    }

    LocalState fallback() {
        return fallback;
    }

    String key(String name) {
        return prefix + name;
    }

    /** What a call does without the store: the local share, or a 503 when configured to refuse. */
    StoreUnavailable unavailable() {
        return new StoreUnavailable("the shared store (Redis) cannot be reached: " + health.lastError(), config.retryAfter());
    }

    boolean refuseWhenAway() {
        return config.refuseWhenAway();
    }

    <T> T eval(String op, String script, String[] keys, String... args) {
        Connections c = usable();
        if (c == null) {
            throw unavailable();
        }
        return health.call(op, () -> c.text().sync().eval(script, ScriptOutputType.INTEGER, keys, args));
    }

    /**
     * Sends a script without waiting for its answer: for what the call need not wait on (giving a lease back).
     * It is sent even while the store is marked down (one slow answer marks it down while the connection is fine;
     * a lease not given back would hold its fleet slot until it runs out); Lettuce refuses it at once while
     * disconnected. If it is lost, what it would have undone runs out by itself.
     */
    void evalLater(String script, String[] keys, String... args) {
        Connections c = connections;
        if (c != null) {
            c.text().async().eval(script, ScriptOutputType.INTEGER, keys, args);
        }
    }

    /**
     * The configuration version a sidecar writes with a bucket's rate: the time it saw that key's rate change to
     * this one. Bucket4j replaces the stored configuration only for a higher version, so a sidecar that has not yet
     * reloaded an edit (an older version) never puts back the rate another sidecar has already changed, and an
     * edit back to a rate used before is a new change (a newer version), not the old one's version again.
     */
    private long versionOf(String key, Rate rate) {
        Versioned seen = configurationVersions.get(key);
        if (seen != null && seen.rate().equals(rate)) {
            return seen.version();
        }
        return configurationVersions.compute(key, (k, old) -> old != null && old.rate().equals(rate) ? old
                : new Versioned(rate, lastVersion.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()))))
                .version();
    }

    private record Versioned(Rate rate, long version) {
    }

    @Override
    public TokenBucket bucket(String key, Rate rate) {
        long version = versionOf(key, rate);
        String id = key + '|' + version;
        RedisTokenBucket found = buckets.get(id);
        if (found != null) {
            return found;
        }
        return buckets.computeIfAbsent(id, k -> new RedisTokenBucket(this, key(("bucket:" + key)), key, rate, version));
    }

    @Override
    public Leases leases(String backend, int cap) {
        return leases.computeIfAbsent(backend + '|' + cap, k -> {
            RedisLeases l = new RedisLeases(this, key("leases:" + backend), backend, cap, sidecarId);
            Gauge.builder(MetricNames.STORE_LEASES, l, RedisLeases::held)
                    .description("Fleet in-flight leases this sidecar holds").tag(MetricNames.TAG_BACKEND, backend)
                    .register(metrics);
            return l;
        });
    }

    @Override
    public Streaks streaks() {
        return streaks;
    }

    @Override
    public Optional<SharedRecords> halts() {
        return Optional.of(halts);
    }

    @Override
    public String sidecarId() {
        return sidecarId;
    }

    @Override
    public boolean local() {
        return false;
    }

    @Override
    public boolean refusing() {
        return config.refuseWhenAway() && (connections == null || health.down());
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        // No address and no error text: /readyz answers without a token (the error is in the log, store.unavailable).
        status.put("mode", "redis");
        status.put("sidecar", sidecarId);
        status.put("state", connections == null ? "never connected" : health.down() ? "unreachable" : "up");
        if (health.down() || connections == null) {
            status.put("fallback", config.refuseWhenAway() ? "refuse: calls get 503"
                    : "local: " + config.localShare() + " of each fleet limit");
        }
        return status;
    }

    /** A random id for this sidecar when neither cluster.id nor HOSTNAME names it. */
    public static String defaultSidecarId(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        return host != null && !host.isBlank() ? host : "sidecar-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Redis's answer for {@code SET key value NX} followed by {@code GET}: the value that is there now. */
    String setIfAbsentAndGet(String op, String key, String value) {
        Connections c = usable();
        if (c == null) {
            throw unavailable();
        }
        return health.call(op, () -> {
            c.text().sync().set(key, value, SetArgs.Builder.nx());
            return c.text().sync().get(key);
        });
    }

    @Override
    public void close() {
        probe.shutdownNow();
        Connections c = connections;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
