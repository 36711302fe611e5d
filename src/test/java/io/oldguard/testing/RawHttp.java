package io.oldguard.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on a bare socket, for what {@link java.net.http.HttpClient} will not send: pipelined requests, broken
 * chunk sizes, half-sent headers. Reads answers framed by {@code Content-Length}, which is all oldguard sends.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    public RawHttp(String base) throws IOException {
        URI uri = URI.create(base);
        this.socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(10_000);
        this.in = socket.getInputStream();
    }

    /** One answer: status, headers (lower-case names) and body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A request with a body, framed by Content-Length; {@code extraHeaders} are whole lines without CRLF. */
    public static String post(String path, String token, String contentType, String body, String... extraHeaders) {
        StringBuilder b = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: oldguard\r\n");
        if (token != null) {
            b.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        b.append("Content-Type: ").append(contentType).append("\r\n");
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return b.append("Content-Length: ").append(bytes.length).append("\r\n\r\n").append(body).toString();
    }

    public static String get(String path, String token, String... extraHeaders) {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: oldguard\r\n");
        if (token != null) {
            b.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    public RawHttp send(String raw) throws IOException {
        socket.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return this;
    }

    /** The next answer on the connection. */
    public Answer read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before an answer");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(); h != null && !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Every answer until the server closes the connection (or nothing comes for the socket timeout). */
    public List<Answer> readUntilClosed() throws IOException {
        List<Answer> answers = new ArrayList<>();
        try {
            while (true) {
                answers.add(read());
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return answers;
        }
    }

    /** True once the server has closed the connection: a read sees the end of the stream (or a reset). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
