package io.oldguard.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;

/** The listener that cancels a connection's call in progress if the client goes away before the answer. */
record PendingCall(ChannelFutureListener cancelOnClose) {

    static final AttributeKey<PendingCall> KEY = AttributeKey.valueOf("oldguard.pendingCall");
}
