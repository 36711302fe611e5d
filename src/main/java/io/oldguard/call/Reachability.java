package io.oldguard.call;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * What the last readiness probe of a backend found: usable, its port not answering, or — for a database — its port
 * answering while oldguard cannot log in and run {@code SELECT 1}. A port that answers says nothing about whether
 * the calls will work, so the two are kept apart, each with a short reason an operator can act on.
 *
 * @param reason a stable word ({@code connection-refused}, {@code timeout}, {@code unknown-host},
 *               {@code authentication}, {@code missing-database}, ...); null when reachable
 * @param detail the underlying error's own text (e.g. {@code FATAL: role "oldguard" does not exist}); null when reachable
 */
public record Reachability(State state, String reason, String detail) {

    /** The states, as {@code /readyz} writes them. */
    public enum State {
        REACHABLE("reachable"), UNREACHABLE("unreachable"), LOGIN_FAILED("login-failed");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final Reachability REACHABLE = new Reachability(State.REACHABLE, null, null);

    public static Reachability reachable() {
        return REACHABLE;
    }

    public static Reachability unreachable(String reason, String detail) {
        return new Reachability(State.UNREACHABLE, reason, detail);
    }

    public static Reachability loginFailed(String reason, String detail) {
        return new Reachability(State.LOGIN_FAILED, reason, detail);
    }

    public boolean up() {
        return state == State.REACHABLE;
    }

    /** A TCP connect: proves the port answers without adding work to what listens there. Blocks; off the event loop. */
    public static Reachability connect(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            // Resolved at each probe, so a backend that moves (DNS) is followed.
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return REACHABLE;
        } catch (IOException e) {
            return unreachable(connectReason(e), host + ":" + port + ": " + e.getMessage());
        }
    }

    /** The stable reason word for a failed connect. */
    public static String connectReason(Throwable e) {
        if (e instanceof ConnectException) {
            return "connection-refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout";
        }
        if (e instanceof UnknownHostException) {
            return "unknown-host";
        }
        return "error";
    }

    /** One line for a log: {@code unreachable (connection-refused): 127.0.0.1:5432: Connection refused}. */
    public String describe() {
        return switch (state) {
            case REACHABLE -> "reachable";
            case UNREACHABLE -> "unreachable (" + reason + "): " + detail;
            case LOGIN_FAILED -> "its port answers, but oldguard cannot log in and run SELECT 1 (" + reason + "): " + detail;
        };
    }
}
