import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The saturation benchmark's backend: answers every POST with a GetStock response from memory (the ItemID of the
 * request, fixed stock figures), on one Netty event loop, so that it is never what limits the benchmark and costs
 * as little CPU per call as an HTTP server can. It is a stand-in for a fast SOAP service, not the legacy simulator
 * (whose PostgreSQL would be the bottleneck). {@code GET ...?wsdl} answers 200 so scripts can wait for it.
 *
 * <pre>
 *   java -cp target/oldguard.jar bench/StockAnswerer.java --port 18188
 * </pre>
 */
public final class StockAnswerer {

    private static final byte[] HEAD = ("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
            + "<GetStockResponse xmlns=\"http://legacy.example.com/inventory/2008\"><Stock><ItemID>").getBytes(StandardCharsets.UTF_8);
    private static final byte[] TAIL = ("</ItemID><Description>Yellow hose</Description><Category>HARDWARE</Category>"
            + "<OnHand>114</OnHand><Reserved>0</Reserved><Warehouse>WH-1</Warehouse></Stock></GetStockResponse>"
            + "</soap:Body></soap:Envelope>").getBytes(StandardCharsets.UTF_8);
    private static final byte[] ITEM_ID = "ItemID>".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        int port = 18188;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Answer());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync();
        System.out.println("StockAnswerer listening on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }

    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ByteBuf body = Unpooled.buffer(HEAD.length + TAIL.length + 12);
            body.writeBytes(HEAD);
            ByteBuf in = request.content();
            int at = indexOf(in, ITEM_ID);
            if (at >= 0) {
                for (int i = at + ITEM_ID.length; i < in.writerIndex() && Character.isDigit(in.getByte(i)); i++) {
                    body.writeByte(in.getByte(i));
                }
            } else {
                body.writeByte('1');
            }
            body.writeBytes(TAIL);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/xml; charset=UTF-8");
            HttpUtil.setContentLength(response, body.readableBytes());
            HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
            ctx.writeAndFlush(response);
        }

        private static int indexOf(ByteBuf in, byte[] needle) {
            outer:
            for (int i = in.readerIndex(); i <= in.writerIndex() - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (in.getByte(i + j) != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
