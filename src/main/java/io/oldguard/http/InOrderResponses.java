package io.oldguard.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One request at a time per connection, so HTTP/1.1 answers leave in the order the requests came (RFC 9112
 * §9.3.2) however long each takes: a pipelined request waits here, decoded, until the answer before it is
 * written, and the socket is not read meanwhile, so what waits is bounded by one read. It also keeps the
 * connection's end orderly: after a request or an answer that says {@code Connection: close}, nothing more is
 * served (RFC 9112 §9.6), but everything before it is still answered — a close never cancels the calls ahead of
 * it. An idle connection with nothing in progress is closed here; one with a request in progress is not idle.
 * Sits after the HTTP codec, before body aggregation, so a refusal the aggregator writes keeps its turn too.
 * Event loop only.
 */
final class InOrderResponses extends ChannelDuplexHandler {

    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>();
    private ConnectionActivity activity;
    /** A request has been passed on and its answer is not yet written whole. */
    private boolean answering;
    /** The body of the request passed on is still arriving. */
    private boolean passingBody;
    /** A request or an answer said Connection: close: nothing after it is served. */
    private boolean closing;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        activity = ConnectionActivity.of(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject object)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!waiting.isEmpty() || (object instanceof HttpRequest && answering)) {
            if (closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            waiting.add(object);
            ctx.channel().config().setAutoRead(false);
        } else if (object instanceof HttpRequest request) {
            if (closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            pass(ctx, request);
        } else if (passingBody) {
            passBody(ctx, object);
        } else {
            // The body of a request dropped after a close.
            ReferenceCountUtil.release(msg);
        }
    }

    private void pass(ChannelHandlerContext ctx, HttpRequest request) {
        answering = true;
        activity.answering(true);
        passingBody = !(request instanceof LastHttpContent);
        if (!HttpUtil.isKeepAlive(request)) {
            closing = true;
        }
        ctx.fireChannelRead(request);
    }

    private void passBody(ChannelHandlerContext ctx, HttpObject content) {
        if (content instanceof LastHttpContent) {
            passingBody = false;
        }
        ctx.fireChannelRead(content);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (!interim && msg instanceof HttpResponse r && !HttpUtil.isKeepAlive(r)) {
            closing = true;
        }
        ctx.write(msg, promise);
        if (!interim && msg instanceof LastHttpContent && answering) {
            answering = false;
            activity.answering(false);
            // Not from inside this write: the next request's handler may answer at once and write again.
            ctx.executor().execute(() -> next(ctx));
        }
    }

    /** Passes on the next waiting request and what of its body has arrived; reads again once none waits. */
    private void next(ChannelHandlerContext ctx) {
        if (answering || !ctx.channel().isActive()) {
            return;
        }
        if (closing) {
            releaseWaiting();
            return;
        }
        HttpObject first = waiting.poll();
        if (first instanceof HttpRequest request) {
            pass(ctx, request);
            while (passingBody && waiting.peek() instanceof HttpContent content && !(content instanceof HttpRequest)) {
                passBody(ctx, waiting.poll());
            }
        } else if (first != null) {
            ReferenceCountUtil.release(first);
        }
        if (waiting.isEmpty() && !closing) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !answering && waiting.isEmpty()) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        HttpObject o;
        while ((o = waiting.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }
}
