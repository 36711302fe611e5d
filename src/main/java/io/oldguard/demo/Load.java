package io.oldguard.demo;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The storm scene's traffic: the storming agent's threads and the two agents at work, each thread sending at a fixed
 * pace and never backing off, whatever the answers (a thread whose call was slow sends its next one at once, as the
 * incident's retry loops did). Every call is bounded: {@link Route#CALL_TIMEOUT}, and at most
 * {@code threads} of the storm in flight.
 */
final class Load {

    /** The incident's shape: 500 calls a second from 20 threads. */
    static final int STORM_THREADS = 20;
    static final int STORM_RATE = 500;
    /** Each agent at work calls at this pace, one call at a time. */
    static final int WORKING_RATE = 5;

    private final Route route;
    private final Tally tally;
    private final HttpClient http;

    Load(Route route, Tally tally) {
        this.route = route;
        this.tally = tally;
        this.http = HttpClient.newBuilder().connectTimeout(Route.CALL_TIMEOUT).build();
    }

    /** Runs the storm and the two working agents for {@code length}; returns when every thread has its last answer. */
    void run(Duration length) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long half = start + length.toNanos() / 2;
        List<Thread> threads = new ArrayList<>();
        long every = TimeUnit.SECONDS.toNanos(1) * STORM_THREADS / STORM_RATE;
        for (int t = 0; t < STORM_THREADS; t++) {
            int thread = t;
            SplittableRandom random = new SplittableRandom(t);
            // Strings first, then valid-looking integers, as the agent "fixed" its type errors.
            threads.add(paced(start + every * t / STORM_THREADS, every, end,
                    n -> AgentCall.invented(n * STORM_THREADS + thread, System.nanoTime() < half, random)));
        }
        long working = TimeUnit.SECONDS.toNanos(1) / WORKING_RATE;
        SplittableRandom support = new SplittableRandom(1);
        SplittableRandom order = new SplittableRandom(2);
        threads.add(paced(start, working, end, n -> AgentCall.checkStock("support-bot", support)));
        threads.add(paced(start + working / 2, working, end, n -> AgentCall.order("order-bot", n, order)));
        for (Thread thread : threads) {
            thread.join();
        }
        http.close();
    }

    private Thread paced(long first, long every, long end, Function<Long, AgentCall> calls) {
        return Thread.ofVirtual().start(() -> {
            long next = first;
            for (long n = 0; System.nanoTime() < end; n++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (System.nanoTime() >= end) {
                    return;
                }
                call(calls.apply(n));
                next = Math.max(next + every, System.nanoTime());
            }
        });
    }

    private void call(AgentCall call) {
        tally.sent(call);
        try {
            HttpResponse<Void> response = http.send(route.request(call), HttpResponse.BodyHandlers.discarding());
            tally.answered(call, response, route);
        } catch (IOException e) {
            tally.unanswered();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tally.unanswered();
        }
    }
}
