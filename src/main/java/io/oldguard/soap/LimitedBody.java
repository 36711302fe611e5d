package io.oldguard.soap;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body into bytes, but gives up — cancelling the exchange — once it grows past a cap, so a
 * broken or hostile backend cannot make oldguard buffer an unbounded answer.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** The answer was larger than the cap. */
    static final class TooLarge extends IOException {
        TooLarge(long max) {
            super("the answer is larger than " + max + " bytes");
        }
    }

    private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long max;
    private long seen;
    private Flow.Subscription subscription;

    private LimitedBody(long max) {
        this.max = max;
        bytes.getBody().whenComplete((body, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(body);
            }
        });
    }

    static HttpResponse.BodyHandler<byte[]> upTo(long max) {
        return info -> new LimitedBody(max);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        bytes.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer b : items) {
            seen += b.remaining();
        }
        if (seen > max) {
            subscription.cancel();
            result.completeExceptionally(new TooLarge(max));
            return;
        }
        bytes.onNext(items);
    }

    @Override
    public void onError(Throwable throwable) {
        bytes.onError(throwable);
    }

    @Override
    public void onComplete() {
        bytes.onComplete();
    }
}
