package io.oldguard.store;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.oldguard.config.Rate;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A Bucket4j distributed bucket in Redis, built with implicit configuration replacement at this sidecar's
 * version of the rate (see {@link RedisState}). While the store is away each operation goes to the local share
 * of the same limit instead (or is refused, as configured).
 */
final class RedisTokenBucket implements TokenBucket {

    private final RedisState state;
    private final String redisKey;
    private final String key;
    private final Rate rate;
    private final long version;
    // Built on first use from the connection of that moment; Lettuce keeps the connection across reconnects.
    private volatile BucketProxy proxy;
    private volatile AsyncBucketProxy asyncProxy;

    RedisTokenBucket(RedisState state, String redisKey, String key, Rate rate, long version) {
        this.state = state;
        this.redisKey = redisKey;
        this.key = key;
        this.rate = rate;
        this.version = version;
    }

    @Override
    public ConsumptionProbe tryConsume(long tokens) {
        return call("bucket", b -> b.tryConsumeAndReturnRemaining(tokens), local -> local.tryConsume(tokens));
    }

    /**
     * Bucket4j's asynchronous form: the compare-and-swap's second command is sent from the Redis client's own
     * thread when the first is answered, so the caller is woken once, at the end, and no thread is started for it.
     * The shaper keeps the synchronous form: it waits anyway, and under a storm its batching is what holds the
     * backend's rate (measured: FleetIT's storm lost more of its rate with the shaper on the asynchronous form).
     */
    @Override
    public CompletableFuture<ConsumptionProbe> tryConsumeAsync(long tokens) {
        RedisState.Connections connections = state.usable();
        if (connections == null) {
            return away(local -> local.tryConsume(tokens));
        }
        return state.health().callAsync("bucket", () -> asyncProxy(connections).tryConsumeAndReturnRemaining(tokens))
                .exceptionallyCompose(failure -> away(local -> local.tryConsume(tokens)));
    }

    /** {@link #awayNow} as a future: answered, or failed with the refusal. */
    private <T> CompletableFuture<T> away(Function<TokenBucket, T> local) {
        try {
            return CompletableFuture.completedFuture(awayNow(local));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public long tryConsumeUpTo(long limit) {
        return call("bucket", b -> b.tryConsumeAsMuchAsPossible(limit), local -> local.tryConsumeUpTo(limit));
    }

    @Override
    public void refund(long tokens) {
        call("bucket", b -> {
            b.addTokens(tokens);
            return null;
        }, local -> {
            local.refund(tokens);
            return null;
        });
    }

    private <T> T call(String op, Function<BucketProxy, T> remote, Function<TokenBucket, T> local) {
        RedisState.Connections connections = state.usable();
        if (connections != null) {
            try {
                return state.health().call(op, () -> remote.apply(proxy(connections)));
            } catch (RuntimeException e) {
                if (StoreHealth.interrupted(e)) {
                    // The call was cancelled: nothing to answer, and the store is not at fault.
                    throw e;
                }
                // Marked down by the health check; this call and the next ones use the fallback.
            }
        }
        return awayNow(local);
    }

    /** What the bucket answers while the store is away: the local share of the same limit, or a refusal. */
    private <T> T awayNow(Function<TokenBucket, T> local) {
        if (state.refuseWhenAway()) {
            throw state.unavailable();
        }
        return local.apply(state.fallback().bucket(key, rate));
    }

    private AsyncBucketProxy asyncProxy(RedisState.Connections connections) {
        AsyncBucketProxy p = asyncProxy;
        if (p == null) {
            p = connections.proxies().asAsync().builder()
                    .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.AS_IS)
                    .build(redisKey, () -> CompletableFuture.completedFuture(Buckets.configuration(rate)));
            asyncProxy = p;
        }
        return p;
    }

    private BucketProxy proxy(RedisState.Connections connections) {
        BucketProxy p = proxy;
        if (p == null) {
            // Batching: concurrent calls of this sidecar on the same bucket (the backend's, under a storm) go to Redis
            // as one request, instead of racing each other's compare-and-swap.
            p = connections.proxies().builder()
                    .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.AS_IS)
                    .withOptimization(Optimizations.batching())
                    .build(redisKey, () -> Buckets.configuration(rate));
            proxy = p;
        }
        return p;
    }
}
