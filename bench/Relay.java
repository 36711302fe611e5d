import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The floor under any proxy on this host, for bench/saturation.sh and bench/run.sh: a relay that does nothing but
 * pass each call on, built on the same Netty, transport and event-loop count as the sidecar. It is not oldguard and
 * checks nothing; it measures what one extra hop costs before any work of oldguard's own.
 *
 * <ul>
 *   <li>{@code --mode http} (default): an HTTP/1.1 proxy with Netty's codecs on both sides, as the sidecar has. Each
 *       request is read whole, sent unchanged over a kept-alive connection of the same event loop to the backend,
 *       and the whole answer is written back, so request and answer never leave that thread.</li>
 *   <li>{@code --mode raw}: a TCP pipe, one backend connection per agent connection, bytes copied both ways with
 *       no parsing at all: the cost of the extra hop's sockets and wake-ups alone.</li>
 * </ul>
 *
 * <pre>
 *   java -XX:+UseSerialGC -Xmx512m -cp target/oldguard.jar bench/Relay.java --port 18187 --backend 127.0.0.1:18188 --mode http
 * </pre>
 */
public final class Relay {

    public static void main(String[] args) throws Exception {
        int port = 18187;
        String backend = "127.0.0.1:18188";
        String mode = "http";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--backend" -> backend = args[i + 1];
                case "--mode" -> mode = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int colon = backend.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(backend.substring(0, colon),
                Integer.parseInt(backend.substring(colon + 1)));
        boolean raw = switch (mode) {
            case "raw" -> true;
            case "http" -> false;
            default -> throw new IllegalArgumentException("--mode must be http or raw (got " + mode + ")");
        };
        // As many loops as the sidecar's agent port has (one per core).
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                NioIoHandler.newFactory());
        new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, !raw)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (raw) {
                            ch.pipeline().addLast(new RawFront(target));
                        } else {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                    new HttpFront(target, idleOf(ch.eventLoop())));
                        }
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync();
        System.out.println("Relay (" + mode + ") listening on 127.0.0.1:" + port + ", passing calls to " + backend);
        Thread.currentThread().join();
    }

    /** Idle backend connections per event loop; only touched on their loop. */
    private static final Map<EventLoop, ArrayDeque<Channel>> IDLE = new HashMap<>();

    private static synchronized ArrayDeque<Channel> idleOf(EventLoop loop) {
        return IDLE.computeIfAbsent(loop, l -> new ArrayDeque<>());
    }

    /** The agent's side of the HTTP relay: one call at a time per connection, as HTTP/1.1 without pipelining. */
    private static final class HttpFront extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final InetSocketAddress target;
        private final ArrayDeque<Channel> idle;   // of this connection's event loop, looked up once per connection

        HttpFront(InetSocketAddress target, ArrayDeque<Channel> idle) {
            super(false);
            this.target = target;
            this.idle = idle;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            Channel front = ctx.channel();
            Channel back;
            while ((back = idle.pollFirst()) != null && !back.isActive()) {
                // closed by the backend while idle: drop it
            }
            request.headers().set(HttpHeaderNames.HOST, target.getHostString() + ":" + target.getPort());
            if (back != null) {
                send(back, front, request);
                return;
            }
            new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16 << 20),
                                    new HttpBack(idle));
                        }
                    })
                    .connect(target).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            send(f.channel(), front, request);
                        } else {
                            request.release();
                            front.close();
                        }
                    });
        }

        private static void send(Channel back, Channel front, FullHttpRequest request) {
            back.pipeline().get(HttpBack.class).front = front;
            back.writeAndFlush(request);
        }
    }

    /** The backend's side: the answer goes back to the agent connection waiting for it, the connection to the pool. */
    private static final class HttpBack extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final ArrayDeque<Channel> idle;
        Channel front;

        HttpBack(ArrayDeque<Channel> idle) {
            super(false);
            this.idle = idle;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Channel waiting = front;
            front = null;
            idle.offerFirst(ctx.channel());
            if (waiting != null && waiting.isActive()) {
                waiting.writeAndFlush(response);
            } else {
                response.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idle.remove(ctx.channel());
            if (front != null) {
                front.close();
            }
        }
    }

    /** The raw pipe: opens its backend connection when the agent connects, then copies bytes both ways. */
    private static final class RawFront extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress target;
        private Channel back;

        RawFront(InetSocketAddress target) {
            this.target = target;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel front = ctx.channel();
            new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Pipe(front))
                    .connect(target).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            back = f.channel();
                            front.read();
                        } else {
                            front.close();
                        }
                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            back.writeAndFlush((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (back != null) {
                back.close();
            }
        }
    }

    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Pipe(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (other.isActive()) {
                other.writeAndFlush(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            other.close();
        }
    }
}
