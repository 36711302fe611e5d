package io.oldguard.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * What {@link ConnectionLimit} needs to know of a connection to choose which one to close when the listener is
 * full: whether it ever sent a byte, when it last did, and whether a request of it is being answered. Written on
 * the connection's event loop, read on the acceptor's, hence volatile.
 */
final class ConnectionActivity {

    private static final AttributeKey<ConnectionActivity> KEY = AttributeKey.valueOf("oldguard.connectionActivity");

    private volatile long lastReadNanos;
    private volatile boolean spoken;
    private volatile boolean answering;

    private ConnectionActivity(long openedNanos) {
        this.lastReadNanos = openedNanos;
    }

    static ConnectionActivity attach(Channel channel, long openedNanos) {
        ConnectionActivity activity = new ConnectionActivity(openedNanos);
        channel.attr(KEY).set(activity);
        return activity;
    }

    /** The connection's activity; a connection that no limit tracks (a test pipeline) gets a fresh one. */
    static ConnectionActivity of(Channel channel) {
        ConnectionActivity activity = channel.attr(KEY).get();
        return activity != null ? activity : attach(channel, System.nanoTime());
    }

    void read(long nanos) {
        lastReadNanos = nanos;
        spoken = true;
    }

    void answering(boolean now) {
        answering = now;
    }

    boolean answering() {
        return answering;
    }

    /**
     * Which of two idle connections to close first: one that never sent a byte (a flood, or a client that
     * connected and forgot) before one that has served requests, and the longest quiet first.
     */
    boolean closesBefore(ConnectionActivity other) {
        if (spoken != other.spoken) {
            return !spoken;
        }
        return lastReadNanos - other.lastReadNanos < 0;
    }
}
