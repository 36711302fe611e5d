package io.oldguard.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A flood of idle connections, run as a child process so its file descriptors are not the sidecar's: opens
 * {@code count} TCP connections to {@code host:port} without sending a byte, prints
 * {@code established <n>} once every connect has finished or failed, and holds them until its standard input
 * closes. Usage: {@code ConnectionFlood host port count}.
 */
public final class ConnectionFlood {

    private ConnectionFlood() {
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        List<SocketChannel> held = new ArrayList<>(count);
        int failed = 0;
        try (Selector selector = Selector.open()) {
            int pending = 0;
            for (int i = 0; i < count; i++) {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.SO_LINGER, 0);
                held.add(c);
                if (!c.connect(target)) {
                    c.register(selector, SelectionKey.OP_CONNECT);
                    pending++;
                }
                // Finish what is ready as we go, so the listen backlog is not the only thing that fills.
                selector.selectNow();
                pending -= finished(selector);
            }
            long giveUp = System.nanoTime() + 15_000_000_000L;
            while (pending > 0 && System.nanoTime() < giveUp) {
                selector.select(100);
                pending -= finished(selector);
            }
            for (SocketChannel c : held) {
                if (!c.isConnected()) {
                    failed++;
                }
            }
        }
        System.out.println("established " + (held.size() - failed) + " failed " + failed);
        System.out.flush();
        // Hold every connection until the test is done with us.
        while (System.in.read() >= 0) {
            // nothing to do but wait
        }
        for (SocketChannel c : held) {
            c.close();
        }
    }

    /** Completes the connects the last select found ready; returns how many. */
    private static int finished(Selector selector) {
        int done = 0;
        for (SelectionKey key : selector.selectedKeys()) {
            SocketChannel c = (SocketChannel) key.channel();
            key.cancel();
            done++;
            try {
                c.finishConnect();
            } catch (IOException e) {
                // refused or reset: counted as failed at the end
            }
        }
        selector.selectedKeys().clear();
        return done;
    }
}
