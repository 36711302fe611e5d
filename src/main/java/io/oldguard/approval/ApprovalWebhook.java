package io.oldguard.approval;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.oldguard.audit.Events;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each new approval request as JSON to the configured webhook (a chat bot, a ticketing system). Never on the
 * call's path: a delivery runs on a virtual thread of its own, bounded by the timeout, and the held call is
 * answered without waiting for it. At most {@link #IN_FLIGHT} deliveries at once; past that, and on any failure,
 * the request still waits in the book and {@code approval.webhook_failed} is logged. No retries: the operator
 * can always list pending requests.
 */
public final class ApprovalWebhook implements Consumer<Approval>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.approvals");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** A webhook that hangs holds a thread for its timeout; this many is plenty for requests a human reads. */
    static final int IN_FLIGHT = 16;

    private final URI url;
    private final Duration timeout;
    private final ExecutorService workers;
    private final HttpClient http;
    private final Semaphore places = new Semaphore(IN_FLIGHT);

    public ApprovalWebhook(URI url, Duration timeout, ExecutorService workers) {
        this.url = url;
        this.timeout = timeout;
        this.workers = workers;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).executor(workers).build();
    }

    @Override
    public void accept(Approval approval) {
        if (!places.tryAcquire()) {
            failed(approval, IN_FLIGHT + " deliveries already under way");
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    deliver(approval);
                } finally {
                    places.release();
                }
            });
        } catch (RuntimeException e) {
            places.release();
            failed(approval, e.toString());
        }
    }

    /** Stops the client's own selector thread; deliveries under way end with their workers. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    private void deliver(Approval approval) {
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(approval))).build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                failed(approval, "HTTP " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed(approval, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private void failed(Approval approval, String why) {
        LOG.warn("approval webhook did not take request {}: {}", approval.id(), why,
                kv("event", Events.APPROVAL_WEBHOOK_FAILED), kv("approvalId", approval.id()), kv("why", why));
    }
}
