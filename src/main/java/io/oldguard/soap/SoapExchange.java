package io.oldguard.soap;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One request and its answer on a pooled connection. It ends once: with the answer, with the connection's
 * failure, or when {@link #abort aborted} (the call's deadline, or its client gone), which closes a connection
 * caught in the middle of an exchange since it cannot carry another one.
 */
final class SoapExchange {

    /** The service's answer, read whole: status, the two headers oldguard reads, the body. */
    record Answer(int status, String contentType, String retryAfter, byte[] body) {
    }

    private final SoapConnections pool;
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();
    private final CompletableFuture<Channel> acquiring;
    // Set once a connection is ours. Guarded by this.
    private Channel channel;

    private SoapExchange(SoapConnections pool, EventLoop loop) {
        this.pool = pool;
        this.acquiring = pool.acquire(loop);
    }

    /** Sends {@code request} on a connection of the pool, preferably one of {@code loop} (null: any). */
    static SoapExchange send(SoapConnections pool, EventLoop loop, FullHttpRequest request) {
        SoapExchange exchange = new SoapExchange(pool, loop);
        exchange.acquiring.whenComplete((connection, failure) -> {
            if (failure != null) {
                request.release();
                exchange.answer.completeExceptionally(failure);
                return;
            }
            if (connection.eventLoop().inEventLoop()) {
                exchange.write(connection, request);
            } else {
                connection.eventLoop().execute(() -> exchange.write(connection, request));
            }
        });
        return exchange;
    }

    CompletableFuture<Answer> answer() {
        return answer;
    }

    /** Ends the exchange with {@code why} unless it has ended; a connection in the middle of it is closed. */
    void abort(IOException why) {
        Channel taken;
        // With write: either the connection was never used (write gives it back) or it is closed here, not both.
        synchronized (this) {
            if (!answer.completeExceptionally(why)) {
                return;
            }
            taken = channel;
        }
        if (taken != null) {
            taken.close();
        } else if (!acquiring.isDone()) {
            pool.forget(acquiring);
        }
    }

    /** On the connection's event loop. */
    private synchronized void write(Channel connection, FullHttpRequest request) {
        channel = connection;
        if (answer.isDone() || !connection.isActive()) {
            // Aborted while the connection was on its way, or it was closed while idle: it carries nothing.
            request.release();
            if (answer.isDone()) {
                pool.release(connection, connection.isActive());
            } else {
                answer.completeExceptionally(new IOException("the service closed the connection"));
                connection.close();
            }
            return;
        }
        connection.pipeline().get(Reader.class).current = this;
        connection.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                failed(connection, f.cause());
            }
        });
    }

    private void answered(Channel connection, FullHttpResponse response) {
        Answer read = new Answer(response.status().code(), response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                response.headers().get(HttpHeaderNames.RETRY_AFTER), ByteBufUtil.getBytes(response.content()));
        if (answer.complete(read)) {
            pool.release(connection, HttpUtil.isKeepAlive(response));
        } else {
            connection.close();
        }
    }

    private void failed(Channel connection, Throwable cause) {
        answer.completeExceptionally(cause);
        connection.close();
    }

    /** The last handler of every pooled connection: hands what arrives to the exchange in progress, if any. */
    static final class Reader extends SimpleChannelInboundHandler<FullHttpResponse> {
        // Only touched on the connection's event loop.
        private SoapExchange current;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            SoapExchange exchange = current;
            current = null;
            if (exchange == null) {
                // An answer nobody asked for: the connection is out of step with the service.
                ctx.close();
                return;
            }
            exchange.answered(ctx.channel(), response);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            SoapExchange exchange = current;
            current = null;
            if (exchange != null) {
                exchange.failed(ctx.channel(), new IOException("the service closed the connection before it answered"));
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            SoapExchange exchange = current;
            current = null;
            if (exchange != null) {
                exchange.failed(ctx.channel(), cause);
            } else {
                ctx.close();
            }
        }
    }
}
