package io.oldguard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.config.ClusterConfig;
import io.oldguard.config.Rate;
import io.oldguard.testing.RedisProcess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Redis store against real Redis: the machine's on 6379 for sharing, a test's own redis-server for faults. */
class RedisStateIT {

    private static final String SHARED_REDIS = "redis://127.0.0.1:6379";

    private final String prefix = "og-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void twoSidecarsDrawOnOneBucket() {
        TokenBucket a = sidecar("a", SHARED_REDIS, "local").bucket("agent|bot", Rate.parse("10/min burst 5"));
        TokenBucket b = sidecar("b", SHARED_REDIS, "local").bucket("agent|bot", Rate.parse("10/min burst 5"));

        assertThat(a.tryConsume(3).isConsumed()).isTrue();
        assertThat(b.tryConsume(2).isConsumed()).isTrue();

        var refused = b.tryConsume(1);
        assertThat(refused.isConsumed()).isFalse();
        assertThat(Duration.ofNanos(refused.getNanosToWaitForRefill())).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(7));
    }

    @Test
    void aSidecarTakesWhatIsLeftOfASharedBucketInOneOperation() {
        TokenBucket a = sidecar("a", SHARED_REDIS, "local").bucket("backend|inventory", Rate.parse("10/min burst 5"));
        TokenBucket b = sidecar("b", SHARED_REDIS, "local").bucket("backend|inventory", Rate.parse("10/min burst 5"));

        assertThat(a.tryConsume(2).isConsumed()).isTrue();

        assertThat(b.tryConsumeUpTo(10)).as("the 3 the other sidecar left").isEqualTo(3);
        assertThat(a.tryConsumeUpTo(10)).isZero();
    }

    @Test
    void aSidecarThatHasNotReloadedCannotLoosenWhatAnotherTightened() {
        RedisState stale = sidecar("stale", SHARED_REDIS, "local");
        TokenBucket old = stale.bucket("agent|bot", Rate.parse("100/min burst 100"));
        assertThat(old.tryConsume(1).isConsumed()).isTrue();
        RedisState reloaded = sidecar("reloaded", SHARED_REDIS, "local");

        TokenBucket tightened = reloaded.bucket("agent|bot", Rate.parse("10/min burst 2"));
        assertThat(tightened.tryConsume(2).isConsumed()).isTrue();

        assertThat(old.tryConsume(1).isConsumed()).as("the stale sidecar draws on the tightened bucket").isFalse();
        assertThat(stale.bucket("agent|bot", Rate.parse("100/min burst 100")).tryConsume(1).isConsumed()).isFalse();
    }

    @Test
    void leasesCapCallsInFlightAcrossSidecars() throws Exception {
        Leases a = sidecar("a", SHARED_REDIS, "local").leases("inventory", 2);
        Leases b = sidecar("b", SHARED_REDIS, "local").leases("inventory", 2);
        Instant expires = Instant.now().plusSeconds(30);

        Leases.Lease first = a.acquire(Duration.ZERO, expires);
        Leases.Lease second = b.acquire(Duration.ZERO, expires);
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(a.acquire(Duration.ofMillis(50), expires)).as("a third slot while two are held").isNull();

        second.close();
        assertThat(a.acquire(Duration.ofMillis(50), expires)).isNotNull();
    }

    @Test
    void twoSidecarsGivenTheSameIdByMistakeStillCountAsTwoSlots() throws Exception {
        Leases first = sidecar("same", SHARED_REDIS, "local").leases("inventory", 2);
        Leases second = sidecar("same", SHARED_REDIS, "local").leases("inventory", 2);
        Leases other = sidecar("other", SHARED_REDIS, "local").leases("inventory", 2);
        Instant expires = Instant.now().plusSeconds(30);

        assertThat(first.acquire(Duration.ZERO, expires)).isNotNull();
        assertThat(second.acquire(Duration.ZERO, expires)).isNotNull();
        assertThat(other.acquire(Duration.ofMillis(50), expires)).as("a third slot of two").isNull();
    }

    @Test
    void theSlotsOfASidecarThatDiedComeBackWhenTheirLeasesRunOut() throws Exception {
        Leases dead = sidecar("dead", SHARED_REDIS, "local").leases("inventory", 2);
        Leases alive = sidecar("alive", SHARED_REDIS, "local").leases("inventory", 2);
        // Never closed, as by a sidecar killed while its calls were in flight; the shortest lease is 1 s.
        assertThat(dead.acquire(Duration.ZERO, Instant.now())).isNotNull();
        assertThat(dead.acquire(Duration.ZERO, Instant.now())).isNotNull();
        assertThat(alive.acquire(Duration.ZERO, Instant.now().plusSeconds(30))).isNull();

        long start = System.nanoTime();
        Leases.Lease lease = alive.acquire(Duration.ofSeconds(5), Instant.now().plusSeconds(30));

        assertThat(lease).isNotNull();
        System.out.printf("a dead sidecar's slot came back after %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void streaksAreCountedAcrossSidecars() {
        Streaks a = sidecar("a", SHARED_REDIS, "local").streaks();
        Streaks b = sidecar("b", SHARED_REDIS, "local").streaks();

        assertThat(a.fault("bot", Duration.ofMinutes(1), 4)).isEqualTo(1);
        assertThat(b.fault("bot", Duration.ofMinutes(1), 4)).isEqualTo(2);
        assertThat(a.fault("bot", Duration.ofMinutes(1), 4)).isEqualTo(3);
        assertThat(b.fault("bot", Duration.ofMinutes(1), 4)).as("the fourth fault, wherever it happens").isEqualTo(4);
        assertThat(a.fault("bot", Duration.ofMinutes(1), 4)).as("a new streak after the threshold").isEqualTo(1);
    }

    @Test
    void withRedisGoneCallsAnswerAtOnceFromTheLocalShare() {
        RedisProcess redis = own(RedisProcess.start());
        RedisState state = sidecar("a", redis.url(), "local");
        Rate rate = Rate.parse("100/min burst 8");
        assertThat(state.bucket("backend|inventory", rate).tryConsume(1).isConsumed()).isTrue();

        redis.kill();

        long start = System.nanoTime();
        int consumed = 0;
        for (int i = 0; i < 50; i++) {
            if (state.bucket("backend|inventory", rate).tryConsume(1).isConsumed()) {
                consumed++;
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("50 calls with Redis gone took %d ms%n", took.toMillis());
        assertThat(consumed).as("the fallback starts empty and refills at a quarter of 100/min").isZero();
        assertThat(took).as("one timeout at most, then the fallback at once").isLessThan(Duration.ofSeconds(2));
        assertThat(state.status()).containsEntry("state", "unreachable");
    }

    @Test
    void aFrozenRedisCostsOneTimeoutThenTheFallbackAnswersAtOnce() {
        RedisProcess redis = own(RedisProcess.start());
        RedisState state = sidecar("a", redis.url(), "local");
        Rate rate = Rate.parse("100/min burst 8");
        assertThat(state.bucket("backend|inventory", rate).tryConsume(1).isConsumed()).isTrue();

        redis.pause();
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            state.bucket("backend|inventory", rate).tryConsume(1);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        redis.resume();

        System.out.printf("50 calls with Redis frozen took %d ms (timeout 200 ms)%n", took.toMillis());
        assertThat(took).as("bounded by the 200 ms timeout, not 50 of them").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aHaltDecisionIsAlwaysReadWithItsOwnStamp() throws Exception {
        // A decision read with a newer decision's stamp would be taken for the newest and kept: a release (or a
        // halt) would never reach that sidecar. Writes race the reads here, as sidecars' exchanges do.
        SharedRecords writer = sidecar("a", SHARED_REDIS, "local").halts().orElseThrow();
        SharedRecords reader = sidecar("b", SHARED_REDIS, "local").halts().orElseThrow();
        Thread writes = Thread.ofPlatform().start(() -> {
            for (int i = 1; i <= 3000; i++) {
                writer.put("bot", "decision " + i, i, "a");
            }
        });
        int reads = 0;
        while (writes.isAlive()) {
            SharedRecords.Stamped read = reader.all().get("bot");
            if (read != null) {
                assertThat(read.value()).as("the value read with stamp %d", read.stamp()).isEqualTo("decision " + read.stamp());
            }
            reads++;
        }
        writes.join();
        System.out.printf("%d reads raced 3000 writes%n", reads);
        assertThat(reads).isPositive();
    }

    @Test
    void theAsynchronousFormIsBoundedByTheTimeoutAndAnswersFromTheFallback() throws Exception {
        RedisProcess redis = own(RedisProcess.start());
        RedisState state = sidecar("a", redis.url(), "local");
        Rate rate = Rate.parse("100/min burst 8");
        TokenBucket bucket = state.bucket("agent|bot", rate);
        assertThat(bucket.tryConsumeAsync(1).join().isConsumed()).isTrue();

        redis.pause();
        long start = System.nanoTime();
        // The first waits out the timeout and marks the store down; the fallback answers the rest at once.
        List<Boolean> consumed = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // get with a bound: an answer that never came would fail here, not hang the suite.
            consumed.add(bucket.tryConsumeAsync(1).get(1, java.util.concurrent.TimeUnit.SECONDS).isConsumed());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        redis.resume();

        System.out.printf("10 asynchronous calls with Redis frozen took %d ms (timeout 200 ms): %s%n", took.toMillis(), consumed);
        assertThat(took).as("bounded by the 200 ms timeout, not 10 of them").isLessThan(Duration.ofSeconds(1));
        assertThat(consumed).as("the fallback starts empty and refills at a quarter of 100/min").containsOnly(false);
        assertThat(state.status()).containsEntry("state", "unreachable");
    }

    @Test
    void whenAFrozenRedisIsDueForAnotherTryOnlyOneCallMakesIt() throws Exception {
        RedisProcess redis = own(RedisProcess.start());
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        RedisState state = sidecar("a", redis.url(), "local", metrics);
        TokenBucket bucket = state.bucket("agent|bot", Rate.parse("100/min burst 8"));
        assertThat(bucket.tryConsume(1).isConsumed()).isTrue();

        redis.pause();
        // The first call after the freeze waits out the timeout and marks the store down (calls in flight at that
        // moment cannot know better). Then twenty calls at once, again and again for three retry intervals (500 ms):
        // at each moment a try is due, one of them waits out the timeout and the others use the fallback at once.
        bucket.tryConsume(1);
        long end = System.nanoTime() + Duration.ofMillis(1600).toNanos();
        int rounds = 0;
        while (System.nanoTime() < end) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Thread> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        bucket.tryConsume(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            for (Thread call : calls) {
                call.join();
            }
            rounds++;
            Thread.sleep(20);
        }
        redis.resume();

        double tries = metrics.find(io.oldguard.metrics.MetricNames.STORE_ERRORS).tag(io.oldguard.metrics.MetricNames.TAG_OP, "bucket")
                .counter().count();
        System.out.printf("%d rounds of 20 calls over 1.6 s with Redis frozen: %.0f of them waited on it%n", rounds, tries);
        assertThat(tries).as("calls that waited out a timeout: the first, then one per due retry").isBetween(1.0, 6.0);
    }

    @Test
    void aCallCancelledWhileItWaitsOnRedisDoesNotSendTheSidecarToTheFallback() throws Exception {
        RedisProcess redis = own(RedisProcess.start());
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        RedisState state = sidecar("a", redis.url(), "local", metrics);
        Leases leases = state.leases("inventory", 1);
        Instant expires = Instant.now().plusSeconds(30);
        assertThat(leases.acquire(Duration.ZERO, expires)).isNotNull();

        // A second call polls for the one slot; Redis is frozen so that its next try waits on it, and the call is
        // cancelled (its client went away) in the middle of that wait, before the 200 ms timeout.
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                leases.acquire(Duration.ofSeconds(5), expires);
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        Thread.sleep(100);
        redis.pause();
        Thread.sleep(60);
        waiting.interrupt();
        waiting.join(2000);
        redis.resume();

        double failures = metrics.find(io.oldguard.metrics.MetricNames.STORE_ERRORS).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        assertThat(ended.get()).as("the cancelled call").isInstanceOf(InterruptedException.class);
        assertThat(failures).as("store failures counted for a cancelled call").isZero();
        assertThat(state.status()).containsEntry("state", "up");
    }

    @Test
    void aLeaseIsGivenBackEvenWhileTheStoreIsMarkedDownByOneSlowAnswer() throws Exception {
        RedisProcess redis = own(RedisProcess.start());
        RedisState state = sidecar("a", redis.url(), "local");
        Leases leases = state.leases("inventory", 1);
        Leases.Lease held = leases.acquire(Duration.ZERO, Instant.now().plusSeconds(30));
        assertThat(held).isNotNull();

        redis.pause();
        state.bucket("agent|bot", Rate.parse("100/min burst 8")).tryConsume(1);
        redis.resume();
        assertThat(state.status()).as("one answer past the timeout").containsEntry("state", "unreachable");

        held.close();
        Leases other = sidecar("b", redis.url(), "local").leases("inventory", 1);
        assertThat(other.acquire(Duration.ofSeconds(1), Instant.now().plusSeconds(30)))
                .as("the slot, free again long before the lease would run out (30 s)").isNotNull();
    }

    @Test
    void anEditBackToARateUsedBeforeAppliesAgain() throws Exception {
        RedisState state = sidecar("a", SHARED_REDIS, "local");
        Rate tight = Rate.parse("10/min burst 2");
        Rate loose = Rate.parse("6000/min burst 100");
        assertThat(state.bucket("agent|bot", tight).tryConsume(2).isConsumed()).isTrue();
        // Loosened by an edit (the bucket keeps its tokens: none), then the edit taken back.
        state.bucket("agent|bot", loose).tryConsume(1);
        TokenBucket back = state.bucket("agent|bot", tight);
        // At the loose rate 30 tokens would come back meanwhile; at the tight one the bucket never holds 3.
        Thread.sleep(300);
        assertThat(back.tryConsume(3).isConsumed()).as("3 tokens from a burst of 2").isFalse();
    }

    @Test
    void refuseModeRefusesWhileRedisIsGoneAndRecoversWhenItReturns() throws Exception {
        RedisProcess redis = own(RedisProcess.start());
        RedisState state = sidecar("a", redis.url(), "refuse");
        TokenBucket bucket = state.bucket("agent|bot", Rate.parse("100/min burst 8"));
        assertThat(bucket.tryConsume(1).isConsumed()).isTrue();

        redis.kill();
        assertThatThrownBy(() -> bucket.tryConsume(1)).isInstanceOf(StoreUnavailable.class);
        assertThat(bucket.tryConsumeAsync(1)).failsWithin(Duration.ofSeconds(1))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class).havingCause().isInstanceOf(StoreUnavailable.class);

        redis.restart();
        io.oldguard.testing.Await.until(Duration.ofSeconds(5), "the store back in use", () -> {
            try {
                return bucket.tryConsume(1).isConsumed();
            } catch (StoreUnavailable e) {
                return false;
            }
        });
        assertThat(state.status()).containsEntry("state", "up");
    }

    private RedisState sidecar(String id, String url, String fallback) {
        return sidecar(id, url, fallback, new SimpleMeterRegistry());
    }

    private RedisState sidecar(String id, String url, String fallback, SimpleMeterRegistry metrics) {
        ClusterConfig config = new ClusterConfig(url, null, null, id, prefix, Duration.ofMillis(200),
                Duration.ofMillis(500), Duration.ofMillis(100), fallback, 0.25);
        return own(RedisState.connect(config, null, id, TimeMeter.SYSTEM_NANOTIME, Clock.systemUTC(), metrics));
    }

    private <T extends AutoCloseable> T own(T resource) {
        open.add(resource);
        return resource;
    }
}
