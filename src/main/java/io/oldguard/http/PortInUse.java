package io.oldguard.http;

import java.net.BindException;

/** A listener could not bind because another process holds its port; the sidecar turns it into a config problem. */
public final class PortInUse extends RuntimeException {

    private final String host;
    private final int port;

    public PortInUse(String host, int port, BindException cause) {
        super("port " + port + " on " + host + " is in use by another process", cause);
        this.host = host;
        this.port = port;
    }

    /**
     * Netty reports a failed bind by rethrowing the checked {@link BindException} undeclared; this turns it into
     * this exception, and anything else into itself.
     */
    public static Exception translate(Exception e, String host, int port) {
        return e instanceof BindException bind ? new PortInUse(host, port, bind) : e;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}
