package io.oldguard.fleet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A storm as the incident's agent made it: several threads per agent, each sending GetStock at a fixed pace and
 * never backing off, whatever the answers (a thread whose call waits sends its next one as soon as it returns).
 * The answers are tallied by status; -1 counts calls that failed without an HTTP answer.
 */
final class Storm {

    /** One agent calling through one sidecar. */
    record Caller(String agentBase, String token, String body) {
    }

    /** Statuses and how many of each; how long the storm lasted until its last answer; the slowest answer. */
    record Result(Map<Integer, Integer> statuses, Duration took, Duration slowest) {
        int count(int status) {
            return statuses.getOrDefault(status, 0);
        }
    }

    private Storm() {
    }

    /** Each caller runs {@code threads} threads, together sending {@code callsPerSecondEach} calls a second. */
    static Result run(List<Caller> callers, int threads, int callsPerSecondEach, Duration length) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicLong slowest = new AtomicLong();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long every = 1_000_000_000L * threads / callsPerSecondEach;
        List<Thread> workers = new ArrayList<>();
        for (Caller caller : callers) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(caller.agentBase() + "/v1/tools/GetStock"))
                    .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + caller.token())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(caller.body())).build();
            for (int i = 0; i < threads; i++) {
                long offset = every * i / threads;
                workers.add(Thread.ofVirtual().start(() -> {
                    long next = start + offset;
                    while (System.nanoTime() < end) {
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) {
                            try {
                                TimeUnit.NANOSECONDS.sleep(sleep);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        int status;
                        long sent = System.nanoTime();
                        try {
                            status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            if (!statuses.containsKey(-1)) {
                                System.out.println("first failed call: " + e);
                            }
                            status = -1;
                        }
                        statuses.merge(status, 1, Integer::sum);
                        long took = System.nanoTime() - sent;
                        slowest.accumulateAndGet(took, Math::max);
                        // A thread whose call waited does not catch up: it sends again at once, then keeps the pace.
                        next = Math.max(next + every, System.nanoTime());
                    }
                }));
            }
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return new Result(Map.copyOf(statuses), Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(slowest.get()));
    }
}
