import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Open-loop load generator for oldguard's benchmark: GetStock at a fixed rate, either as SOAP 1.1 straight to the
 * legacy service ({@code soap}), as JSON through the sidecar ({@code oldguard}), or as the same SOAP envelope
 * through the sidecar's SOAP passthrough ({@code passthrough}). Dependency-free, one file, run
 * with the JDK source launcher:
 *
 * <pre>
 *   java bench/LoadGen.java --mode soap     --url http://127.0.0.1:18088/inventory --rate 1000 --duration 20 --warmup 5
 *   java bench/LoadGen.java --mode oldguard --url http://127.0.0.1:18080/v1/tools/GetStock --token $TOKEN ...
 * </pre>
 *
 * <p><b>Open loop.</b> Request {@code i} is started at {@code start + i/rate} whatever happened to earlier
 * requests, each on its own virtual thread, and its latency runs from that <em>intended</em> start to the last
 * byte of the response. A stall anywhere (server, network, GC in this generator) therefore shows up in the
 * percentiles instead of quietly lowering the offered rate (coordinated omission). Requests of the warm-up are
 * sent the same way but not recorded.
 *
 * <p><b>Lean client.</b> On two shared cores the generator competes with the system it measures, so it speaks
 * HTTP/1.1 itself over a pool of keep-alive sockets (pre-encoded requests, Content-Length or chunked answers)
 * instead of using {@code java.net.http.HttpClient}, which cost about 0.8 ms of CPU per call here. At most
 * {@code --max-conns} connections are open; a request waiting for one keeps its clock running.
 *
 * <p><b>Bounded.</b> It stops sending after warm-up + duration, waits at most {@code --grace} seconds for
 * answers, counts whatever is still outstanding as errors (stragglers), prints one line and exits.
 *
 * <p>Output: {@code RESULT label=… mode=… sent=… ok=… errors=… tput=…/s p50=… p90=… p99=… p99.9=… max=… ms …}.
 * Percentiles are over the successful calls (HTTP 200 carrying a GetStock result); errors are any other status,
 * I/O failures and stragglers. With {@code --cpu name=PID[+PID…],…} (or {@code name=user:NAME} for all of a
 * user's processes, as they are when it starts) it also reports the CPU each process used per measured call, read
 * from /proc (Linux).
 *
 * <p><b>Refusals.</b> Measured calls answered 429 or 503 (the sidecar's limits, queue, bulkhead or breaker) are
 * still errors, but their latency is also recorded on its own: {@code refused=… refused.p50=… refused.p99=…
 * refused.max=…}. {@code status.NNN=…} counts the measured calls by HTTP status ({@code status.io} for I/O
 * failures). {@code goodput=…/s} is the number of HTTP 200 GetStock answers (of any call, warm-up included) that
 * completed inside the measured window, divided by its length: the steady-state rate of good answers, unlike
 * {@code tput}, whose window stretches to the last answer.
 */
public final class LoadGen {

    static final String SOAP_ACTION = "\"http://legacy.example.com/inventory/2008/GetStock\"";
    static final int ITEMS = 500;

    record Settings(boolean soap, String mode, String label, URI url, double rate, double duration, double warmup,
                    double grace, String token, int maxConns, String cpu, String dump) {
    }

    public static void main(String[] args) throws Exception {
        String mode = "oldguard";
        String url = null;
        double rate = 1000;
        double duration = 20;
        double warmup = 5;
        double grace = 5;
        String token = System.getenv("OLDGUARD_TOKEN_BENCH_BOT");
        String label = null;
        int maxConns = 1024;
        String cpu = null;
        String dump = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                usage(0);
            }
            if (i + 1 >= args.length) {
                fail("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--mode" -> mode = v;
                case "--url" -> url = v;
                case "--rate" -> rate = Double.parseDouble(v);
                case "--duration" -> duration = Double.parseDouble(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--grace" -> grace = Double.parseDouble(v);
                case "--token" -> token = v;
                case "--label" -> label = v;
                case "--max-conns" -> maxConns = Integer.parseInt(v);
                case "--cpu" -> cpu = v;
                case "--dump" -> dump = v;
                default -> fail("unknown option " + a);
            }
        }
        if (!List.of("soap", "oldguard", "passthrough").contains(mode)) {
            fail("--mode must be soap, oldguard or passthrough (got " + mode + ")");
        }
        // soap and passthrough send the same envelope; passthrough sends it to the sidecar, with a token.
        boolean soap = !mode.equals("oldguard");
        if (url == null) {
            url = switch (mode) {
                case "soap" -> "http://127.0.0.1:18088/inventory";
                case "passthrough" -> "http://127.0.0.1:18080/inventory";
                default -> "http://127.0.0.1:18080/v1/tools/GetStock";
            };
        }
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            fail("--url must be an http:// URL (got " + url + ")");
        }
        if (!mode.equals("soap") && (token == null || token.isBlank())) {
            fail("mode " + mode + " needs --token or OLDGUARD_TOKEN_BENCH_BOT");
        }
        if (!(rate > 0) || rate > 50_000 || !(duration > 0) || duration > 3600 || warmup < 0 || warmup > 600
                || grace < 0 || grace > 60 || maxConns < 1 || maxConns > 20_000) {
            fail("need 0 < rate <= 50000, 0 < duration <= 3600, 0 <= warmup <= 600, 0 <= grace <= 60, 1 <= max-conns <= 20000");
        }
        Settings settings = new Settings(soap, mode, label == null ? mode : label, uri, rate, duration, warmup, grace,
                token, maxConns, cpu, dump);
        System.exit(run(settings));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The run

    static int run(Settings s) throws InterruptedException {
        byte[][] requests = new byte[ITEMS][];
        for (int id = 1; id <= ITEMS; id++) {
            requests[id - 1] = encode(s, id);
        }
        Pool pool = new Pool(new InetSocketAddress(s.url().getHost(), port(s.url())), s.maxConns(),
                (int) Math.max(1000, s.grace() * 1000 + 1000));
        CpuMeter cpu = CpuMeter.parse(s.cpu());

        long periodNanos = Math.round(1e9 / s.rate());
        long warmupCount = (long) Math.ceil(s.warmup() * s.rate());
        long measuredCount = (long) Math.ceil(s.duration() * s.rate());
        if (measuredCount > 50_000_000) {
            fail("too many requests for one run: " + measuredCount);
        }
        long total = warmupCount + measuredCount;
        long[] latencies = new long[(int) measuredCount];   // nanoseconds of the successful measured calls
        long[] refusedLatencies = new long[(int) measuredCount];   // nanoseconds of the measured 429/503 answers
        long[] byCall = s.dump() == null ? null : new long[(int) measuredCount];   // for --dump; -1 = failed
        AtomicInteger refusedCount = new AtomicInteger();
        AtomicIntegerArray statusCounts = new AtomicIntegerArray(600);   // measured calls by status; 0 = I/O failure
        AtomicInteger okInWindow = new AtomicInteger();   // HTTP 200 answers (any call) completed in the window
        AtomicInteger okCount = new AtomicInteger();
        AtomicInteger errorCount = new AtomicInteger();
        AtomicInteger warmupErrors = new AtomicInteger();
        AtomicInteger printedErrors = new AtomicInteger();
        AtomicLong outstanding = new AtomicLong();
        AtomicLong lastCompletion = new AtomicLong();
        Thread.Builder.OfVirtual threads = Thread.ofVirtual().name("call-", 0);

        long start = System.nanoTime() + 100_000_000L;
        long measureStart = start + warmupCount * periodNanos;
        long measureEnd = measureStart + measuredCount * periodNanos;
        long sent = 0;
        long maxLag = 0;
        // CPU is sampled on a thread of its own at the start and end of the measured window, never in the send
        // loop (scanning /proc takes milliseconds, which would delay sends).
        Thread cpuSampler = Thread.ofPlatform().daemon().name("cpu-sampler").start(() -> {
            for (long at : new long[] {measureStart, measureEnd}) {
                long wait;
                while ((wait = at - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                cpu.sample();
            }
        });
        for (long i = 0; i < total; i++) {
            long intended = start + i * periodNanos;
            long now;
            // Park, never spin: a spinning generator would take a core from the system under test. Timer slack
            // makes a send up to ~0.1 ms late; that is inside the measured latency, equally for both paths.
            while ((now = System.nanoTime()) < intended) {
                LockSupport.parkNanos(intended - now);
            }
            boolean measured = i >= warmupCount;
            int index = (int) (i - warmupCount);
            if (measured) {
                sent++;
                maxLag = Math.max(maxLag, now - intended);
            }
            byte[] request = requests[(int) (i % ITEMS)];
            long deadline = System.nanoTime() + (long) ((s.grace() + 1) * 1e9) + (measureEnd - intended);
            outstanding.incrementAndGet();
            threads.start(() -> {
                String failure;
                int status = 0;
                try {
                    Outcome outcome = pool.call(request, s.soap(), deadline);
                    failure = outcome.failure();
                    status = outcome.status();
                } catch (Exception e) {
                    failure = e.toString();
                }
                long done = System.nanoTime();
                if (failure == null && done >= measureStart && done <= measureEnd) {
                    okInWindow.incrementAndGet();
                }
                if (measured) {
                    if (byCall != null) {
                        byCall[index] = failure == null ? done - intended : -1;
                    }
                    statusCounts.incrementAndGet(status >= 0 && status < 600 ? status : 0);
                    if (failure == null) {
                        latencies[okCount.getAndIncrement()] = done - intended;
                    } else {
                        errorCount.incrementAndGet();
                        if (status == 429 || status == 503) {
                            refusedLatencies[refusedCount.getAndIncrement()] = done - intended;
                        }
                    }
                    lastCompletion.accumulateAndGet(done, Math::max);
                } else if (failure != null) {
                    warmupErrors.incrementAndGet();
                }
                if (failure != null && printedErrors.getAndIncrement() < 5) {
                    System.err.println("loadgen: " + s.label() + ": error: " + failure);
                }
                outstanding.decrementAndGet();
            });
        }
        cpuSampler.join(2000);
        long graceDeadline = System.nanoTime() + (long) (s.grace() * 1e9);
        while (outstanding.get() > 0 && System.nanoTime() < graceDeadline) {
            Thread.sleep(2);
        }
        // Snapshot: a call still outstanding now is a straggler and counts as an error.
        long stragglers = outstanding.get();
        int ok = Math.min(okCount.get(), latencies.length);
        int errors = errorCount.get() + (int) stragglers;
        long[] sorted = Arrays.copyOf(latencies, ok);
        Arrays.sort(sorted);
        long end = Math.max(lastCompletion.get(), measureEnd);
        double window = (end - measureStart) / 1e9;
        double throughput = window > 0 ? ok / window : 0;
        int refused = Math.min(refusedCount.get(), refusedLatencies.length);
        long[] refusedSorted = Arrays.copyOf(refusedLatencies, refused);
        Arrays.sort(refusedSorted);
        double goodput = okInWindow.get() / ((measureEnd - measureStart) / 1e9);

        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "RESULT label=%s mode=%s rate=%.0f duration=%.0fs sent=%d ok=%d errors=%d stragglers=%d tput=%.1f/s"
                        + " p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f max=%.3f ms sendLagMax=%.3f conns=%d warmupErrors=%d",
                s.label(), s.mode(), s.rate(), s.duration(), sent, ok, errors, stragglers, throughput,
                ms(pct(sorted, 50)), ms(pct(sorted, 90)), ms(pct(sorted, 99)), ms(pct(sorted, 99.9)),
                ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]), ms(maxLag), pool.opened.get(),
                warmupErrors.get()));
        line.append(String.format(Locale.ROOT, " goodput=%.1f/s refused=%d refused.p50=%.3f refused.p99=%.3f refused.max=%.3f",
                goodput, refused, ms(pct(refusedSorted, 50)), ms(pct(refusedSorted, 99)),
                ms(refused == 0 ? 0 : refusedSorted[refused - 1])));
        for (int st = 0; st < statusCounts.length(); st++) {
            if (statusCounts.get(st) > 0) {
                line.append(st == 0 ? " status.io=" : " status." + st + "=").append(statusCounts.get(st));
            }
        }
        if (stragglers > 0) {
            line.append(" status.outstanding=").append(stragglers);
        }
        line.append(cpu.report(sent));
        System.out.println(line);
        System.out.flush();
        if (byCall != null) {
            long windowStartEpochMicros = System.currentTimeMillis() * 1000 + (measureStart - System.nanoTime()) / 1000;
            dump(Path.of(s.dump()), byCall, periodNanos, windowStartEpochMicros);
        }
        return 0;
    }

    /**
     * {@code --dump FILE}: one line per measured call, in the order they were sent: its intended start in ms from
     * the start of the window and its latency in ms ({@code -1} for a failed call), to see when the slow calls came;
     * a first line {@code # windowStartEpochMicros=…} places the window on the wall clock (to match a GC log).
     */
    static void dump(Path file, long[] byCall, long periodNanos, long windowStartEpochMicros) {
        StringBuilder out = new StringBuilder(byCall.length * 16);
        out.append("# windowStartEpochMicros=").append(windowStartEpochMicros).append('\n');
        for (int i = 0; i < byCall.length; i++) {
            double latency = byCall[i] < 0 ? -1.0 : byCall[i] / 1e6;
            out.append(String.format(Locale.ROOT, "%.3f %.3f%n", i * periodNanos / 1e6, latency));
        }
        try {
            Files.writeString(file, out);
        } catch (IOException e) {
            System.err.println("loadgen: could not write " + file + ": " + e);
        }
    }

    /** Nearest-rank percentile of a sorted array. */
    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 80;
    }

    static byte[] encode(Settings s, int itemId) {
        String path = s.url().getRawPath() == null || s.url().getRawPath().isEmpty() ? "/" : s.url().getRawPath();
        if (s.url().getRawQuery() != null) {
            path += "?" + s.url().getRawQuery();
        }
        String body;
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(s.url().getHost()).append(':').append(port(s.url())).append("\r\n");
        if (s.soap()) {
            body = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
                    + "<m:GetStockRequest xmlns:m=\"http://legacy.example.com/inventory/2008\"><m:ItemID>" + itemId
                    + "</m:ItemID></m:GetStockRequest></soap:Body></soap:Envelope>";
            head.append("Content-Type: text/xml; charset=utf-8\r\n").append("SOAPAction: ").append(SOAP_ACTION).append("\r\n");
            if (s.token() != null && s.mode().equals("passthrough")) {
                head.append("Authorization: Bearer ").append(s.token()).append("\r\n");
            }
        } else {
            body = "{\"ItemID\": " + itemId + "}";
            head.append("Content-Type: application/json\r\n").append("Authorization: Bearer ").append(s.token()).append("\r\n");
        }
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        head.append("Content-Length: ").append(bodyBytes.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(headBytes, headBytes.length + bodyBytes.length);
        System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
        return all;
    }

    static void fail(String message) {
        System.err.println("loadgen: " + message);
        usage(2);
    }

    static void usage(int code) {
        System.err.println("""
                usage: java bench/LoadGen.java [--mode soap|oldguard|passthrough] [--url URL] [--rate 1000] [--duration 20]
                           [--warmup 5] [--grace 5] [--token T] [--label NAME] [--max-conns 1024]
                           [--cpu name=PID[+PID...],name=user:USER,...] [--dump FILE]
                  soap      POST a SOAP 1.1 GetStock envelope to the legacy service (default http://127.0.0.1:18088/inventory)
                  oldguard  POST {"ItemID": N} through the sidecar with a bearer token
                            (default http://127.0.0.1:18080/v1/tools/GetStock, token from OLDGUARD_TOKEN_BENCH_BOT)
                  passthrough  POST the SOAP envelope through the sidecar's SOAP passthrough with a bearer token
                            (default http://127.0.0.1:18080/inventory)
                  --dump    write each measured call's intended start and latency (ms) to FILE, one per line
                  rate in calls/s, times in seconds; ItemID cycles 1..500""");
        System.exit(code);
    }

    // ---------------------------------------------------------------------------------------------------------
    // A minimal HTTP/1.1 keep-alive client

    static final class Pool {
        final InetSocketAddress address;
        final Semaphore permits;
        final int readTimeoutMillis;
        final ConcurrentLinkedDeque<Conn> idle = new ConcurrentLinkedDeque<>();
        final AtomicInteger opened = new AtomicInteger();

        Pool(InetSocketAddress address, int maxConns, int readTimeoutMillis) {
            this.address = address;
            this.permits = new Semaphore(maxConns);
            this.readTimeoutMillis = readTimeoutMillis;
        }

        /** One call: its HTTP status (0 if none) and null when it succeeded, else what went wrong. */
        Outcome call(byte[] request, boolean soap, long deadline) throws IOException, InterruptedException {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return new Outcome(0, "no connection free before the deadline");
            }
            try {
                for (int attempt = 0; ; attempt++) {
                    Conn conn = idle.pollFirst();
                    boolean reused = conn != null;
                    if (conn == null) {
                        conn = Conn.open(address, readTimeoutMillis);
                        opened.incrementAndGet();
                    }
                    Response response;
                    try {
                        conn.out.write(request);
                        conn.out.flush();
                        response = conn.readResponse();
                    } catch (IOException e) {
                        conn.close();
                        // A kept-alive connection the server had already closed: once more on a fresh one.
                        if (reused && attempt == 0 && conn.bytesOfThisResponse == 0 && !(e instanceof SocketTimeoutException)) {
                            continue;
                        }
                        throw e;
                    }
                    if (response.keepAlive()) {
                        idle.offerFirst(conn);
                    } else {
                        conn.close();
                    }
                    if (response.status() != 200) {
                        return new Outcome(response.status(), "HTTP " + response.status() + ": " + abbreviate(response.body()));
                    }
                    if (!looksRight(soap, response.body())) {
                        return new Outcome(200, "HTTP 200 without a GetStock result: " + abbreviate(response.body()));
                    }
                    return new Outcome(200, null);
                }
            } finally {
                permits.release();
            }
        }

        static boolean looksRight(boolean soap, String body) {
            return body.contains("OnHand") && (soap ? body.contains("GetStockResponse") : body.contains("\"result\""));
        }

        static String abbreviate(String s) {
            s = s.replace('\n', ' ');
            return s.length() > 300 ? s.substring(0, 300) + "…" : s;
        }
    }

    record Response(int status, boolean keepAlive, String body) {
    }

    /** What one call ended with: the HTTP status (0 when there was none) and null, or what went wrong. */
    record Outcome(int status, String failure) {
    }

    static final class Conn {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final byte[] buf = new byte[16 * 1024];
        int pos;
        int lim;
        int bytesOfThisResponse;

        private Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Conn open(InetSocketAddress address, int readTimeoutMillis) throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(readTimeoutMillis);
                socket.connect(address, 2000);
                return new Conn(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Nothing to do: the connection is dropped either way.
            }
        }

        Response readResponse() throws IOException {
            bytesOfThisResponse = 0;
            String statusLine = readLine();
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            boolean keepAlive = statusLine.startsWith("HTTP/1.1");
            long contentLength = -1;
            boolean chunked = false;
            for (String header; !(header = readLine()).isEmpty(); ) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    contentLength = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    keepAlive = !value.equalsIgnoreCase("close") && (keepAlive || value.equalsIgnoreCase("keep-alive"));
                }
            }
            byte[] body;
            if (chunked) {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(1024);
                while (true) {
                    String sizeLine = readLine();
                    int semi = sizeLine.indexOf(';');
                    int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                    if (size == 0) {
                        while (!readLine().isEmpty()) {
                            // trailers, ignored
                        }
                        break;
                    }
                    all.write(readBytes(size));
                    readLine();   // the CRLF after the chunk
                }
                body = all.toByteArray();
            } else if (contentLength >= 0) {
                if (contentLength > 16 * 1024 * 1024) {
                    throw new IOException("response body too large: " + contentLength);
                }
                body = readBytes((int) contentLength);
            } else {
                keepAlive = false;   // body runs to the end of the connection
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(1024);
                while (fill()) {
                    all.write(buf, pos, lim - pos);
                    pos = lim;
                }
                body = all.toByteArray();
            }
            return new Response(status, keepAlive, new String(body, StandardCharsets.UTF_8));
        }

        private boolean fill() throws IOException {
            if (pos < lim) {
                return true;
            }
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            lim = n;
            bytesOfThisResponse += n;
            return true;
        }

        private String readLine() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                if (!fill()) {
                    throw new EOFException("connection closed by the server");
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    int len = sb.length();
                    if (len > 0 && sb.charAt(len - 1) == '\r') {
                        sb.setLength(len - 1);
                    }
                    return sb.toString();
                }
                if (sb.length() > 16 * 1024) {
                    throw new IOException("header line too long");
                }
                sb.append((char) (b & 0xff));
            }
        }

        private byte[] readBytes(int n) throws IOException {
            byte[] out = new byte[n];
            int have = 0;
            while (have < n) {
                if (!fill()) {
                    throw new EOFException("connection closed in the middle of a body");
                }
                int take = Math.min(n - have, lim - pos);
                System.arraycopy(buf, pos, out, have, take);
                pos += take;
                have += take;
            }
            return out;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // CPU used by the processes of the benchmark, from /proc (Linux); a no-op without --cpu

    static final class CpuMeter {
        private static final double TICK_MS = 10.0;   // USER_HZ is 100 on Linux
        private final Map<String, List<String>> groups;   // label -> PIDs (a user's are found in parse)
        private final List<Map<String, Long>> samples = new ArrayList<>();
        private final List<long[]> hostSamples = new ArrayList<>();
        private final List<Long> times = new ArrayList<>();

        private CpuMeter(Map<String, List<String>> groups) {
            this.groups = groups;
        }

        static CpuMeter parse(String spec) {
            Map<String, List<String>> groups = new LinkedHashMap<>();
            if (spec != null && !spec.isBlank()) {
                for (String part : spec.split(",")) {
                    int eq = part.indexOf('=');
                    if (eq <= 0) {
                        fail("--cpu wants name=PID[+PID...] or name=user:USER (got " + part + ")");
                    }
                    List<String> members = new ArrayList<>();
                    for (String m : part.substring(eq + 1).split("\\+")) {
                        // A user's processes are looked up once, here, before the run: scanning /proc takes tens of
                        // milliseconds of CPU, which at the start of the measured window delayed that second's calls.
                        // (The simulator's database connections are a fixed pool, open before the run.)
                        members.addAll(m.startsWith("user:") ? userPids(m.substring(5)) : List.of(m));
                    }
                    groups.put(part.substring(0, eq), members);
                }
                groups.putIfAbsent("loadgen", List.of(String.valueOf(ProcessHandle.current().pid())));
            }
            return new CpuMeter(groups);
        }

        void sample() {
            if (groups.isEmpty()) {
                return;
            }
            times.add(System.nanoTime());
            Map<String, Long> ticks = new LinkedHashMap<>();
            groups.forEach((label, members) -> {
                long sum = 0;
                for (String m : members) {
                    sum += pidTicks(m);
                }
                ticks.put(label, sum);
            });
            samples.add(ticks);
            hostSamples.add(hostTicks());
        }

        String report(long calls) {
            if (samples.size() < 2 || calls == 0) {
                return "";
            }
            Map<String, Long> a = samples.get(0);
            Map<String, Long> b = samples.get(samples.size() - 1);
            double seconds = (times.get(times.size() - 1) - times.get(0)) / 1e9;
            StringBuilder sb = new StringBuilder();
            a.forEach((label, before) -> {
                double ms = (b.get(label) - before) * TICK_MS;
                sb.append(String.format(Locale.ROOT, " cpu.%s=%.3f", label, ms / calls));
            });
            long[] h0 = hostSamples.get(0);
            long[] h1 = hostSamples.get(hostSamples.size() - 1);
            if (h0 != null && h1 != null && h1[1] > h0[1]) {
                sb.append(String.format(Locale.ROOT, " hostBusy=%.0f%%", 100.0 * (h1[0] - h0[0]) / (h1[1] - h0[1])));
            }
            sb.append(String.format(Locale.ROOT, " cpuWindow=%.1fs (cpu.* in ms of CPU per call)", seconds));
            return sb.toString();
        }

        private static long pidTicks(String pid) {
            try {
                String stat = Files.readString(Path.of("/proc", pid, "stat"));
                // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        private static List<String> userPids(String user) {
            List<String> pids = new ArrayList<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                        continue;
                    }
                    try {
                        if (user.equals(Files.getOwner(p).getName())) {
                            pids.add(name);
                        }
                    } catch (IOException | RuntimeException ignored) {
                        // The process ended meanwhile.
                    }
                }
            } catch (IOException e) {
                return pids;
            }
            return pids;
        }

        /** {busy, total} jiffies of all CPUs, from the first line of /proc/stat. */
        private static long[] hostTicks() {
            try {
                String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
                String[] f = first.trim().split("\\s+");
                long total = 0;
                long idle = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i == 4 || i == 5) {   // idle, iowait
                        idle += v;
                    }
                }
                return new long[] {total - idle, total};
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
