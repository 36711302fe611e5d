package io.oldguard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks a port a command is about to listen on, before it starts anything, so that a clash is reported as the
 * port and the option that moves it — not as whatever the library that fails to bind says (CXF's Jetty prints
 * "port 28,088").
 */
public final class Ports {

    private Ports() {
    }

    /** @return null when {@code port} on {@code host} can be bound; otherwise the message to print */
    public static String inUse(String host, int port, String option) {
        if (port == 0) {
            return null;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return null;
        } catch (IOException e) {
            return "port " + port + " on " + host + " is in use by another process (" + e.getMessage()
                    + "); choose another with " + option;
        }
    }
}
