package io.oldguard.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.namespace.QName;
import org.apache.cxf.Bus;
import org.apache.cxf.jaxws.EndpointImpl;
import org.apache.cxf.transport.http_jetty.JettyHTTPServerEngineFactory;

/**
 * A stand-in for the fragile 2008 SOAP inventory service: a CXF JAX-WS endpoint on loopback with a small fixed
 * worker pool, adjustable latency and faults, and a real PostgreSQL table behind concatenated SQL.
 */
public final class LegacyInventorySimulator implements AutoCloseable {

    private static final String PATH = "/inventory";

    private final URI endpoint;
    private final int port;
    private final Bus bus;
    private final EndpointImpl cxfEndpoint;
    private final ExecutorService workers;
    private final InventoryDatabase database;
    private final InventoryProvider provider;
    private final RequestCounters counters;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LegacyInventorySimulator(URI endpoint, int port, Bus bus, EndpointImpl cxfEndpoint, ExecutorService workers,
                                     InventoryDatabase database, InventoryProvider provider, RequestCounters counters) {
        this.endpoint = endpoint;
        this.port = port;
        this.bus = bus;
        this.cxfEndpoint = cxfEndpoint;
        this.workers = workers;
        this.database = database;
        this.provider = provider;
        this.counters = counters;
    }

    /** Prepares the database, publishes the endpoint and returns once Jetty is accepting requests. */
    public static LegacyInventorySimulator start(SimulatorSettings settings) {
        Objects.requireNonNull(settings, "settings");
        // CXF's Jetty engine cannot report an ephemeral port, so a free one is picked up front.
        int port = settings.port() == 0 ? freePort(settings.host()) : settings.port();
        URI endpoint = URI.create("http://" + settings.host() + ":" + port + PATH);
        Bus bus = CxfBuses.createPrivateBus(port);
        InventoryDatabase database;
        try {
            database = InventoryDatabase.open(settings.jdbcUrl(), settings.dbUser(), settings.dbPassword(),
                    settings.dbPoolSize());
        } catch (RuntimeException e) {
            bus.shutdown(true);
            throw e;
        }
        ExecutorService workers = Executors.newFixedThreadPool(settings.workers(), workerThreads(port));
        try {
            RequestCounters counters = new RequestCounters();
            InventoryProvider provider = new InventoryProvider(new InventoryRepository(database), settings.latency(), counters);
            EndpointImpl cxfEndpoint = new EndpointImpl(bus, provider);
            cxfEndpoint.setWsdlLocation(settings.wsdl().toUri().toString());
            cxfEndpoint.setServiceName(new QName(PayloadXml.NS, "InventoryService"));
            cxfEndpoint.setEndpointName(new QName(PayloadXml.NS, "InventoryPort"));
            cxfEndpoint.setExecutor(workers);
            cxfEndpoint.getInInterceptors().add(new RequestCountingInterceptor(counters));
            CxfBuses.publish(bus, cxfEndpoint, endpoint.toString());
            return new LegacyInventorySimulator(endpoint, port, bus, cxfEndpoint, workers, database, provider, counters);
        } catch (RuntimeException e) {
            // A failed bind leaves a half-made engine in CXF's JVM-wide port map; the port is known to be ours.
            JettyHTTPServerEngineFactory.destroyForPort(port);
            bus.shutdown(true);
            workers.shutdownNow();
            database.close();
            throw e;
        }
    }

    /** The SOAP endpoint address, e.g. {@code http://127.0.0.1:41234/inventory}. */
    public URI endpoint() {
        return endpoint;
    }

    /** All requests received since start or the last {@link #resetCounters()}, including faulted ones. */
    public long requestsReceived() {
        return counters.total();
    }

    /** Requests received for one operation, e.g. {@code "GetStock"}. */
    public long requestsReceived(String operation) {
        return counters.of(operation);
    }

    /**
     * Requests the service's code answered with a SOAP fault since start or the last {@link #resetCounters()}: a
     * database error passed back (a non-numeric ItemID), an unknown item, insufficient stock, an unknown operation.
     * A request CXF cannot read, faulted before it reaches that code, is not among them.
     */
    public long faultsAnswered() {
        return counters.faults();
    }

    /** The most requests the service was working on at once since start or the last {@link #resetCounters()}. */
    public int peakInFlight() {
        return counters.peakInFlight();
    }

    /** How long the service received requests for, from the first to the last since {@link #resetCounters()}. */
    public java.time.Duration arrivalSpan() {
        return java.time.Duration.ofNanos(counters.arrivalSpanNanos());
    }

    public void resetCounters() {
        counters.reset();
    }

    /** Latency added to every following request, spent while holding one of the workers. */
    public void setLatency(Duration latency) {
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException("latency must be zero or positive: " + latency);
        }
        provider.setLatency(latency);
    }

    /** When on, every request gets a soap:Server fault "Internal error: backend unavailable" without DB access. */
    public void setServerFaults(boolean on) {
        provider.setServerFaults(on);
    }

    public InventoryDatabase database() {
        return database;
    }

    /** Stops the endpoint, this simulator's Jetty engine and bus, the workers and the pool; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            cxfEndpoint.stop();
        } finally {
            // Cancel queued invocations: CXF's Jetty threads block on these futures and would otherwise hang.
            workers.shutdownNow().forEach(task -> ((Future<?>) task).cancel(false));
            // Stop our engine by port: the factory's engines are JVM-wide, and ours is not a bus listener.
            JettyHTTPServerEngineFactory.destroyForPort(port);
            bus.shutdown(true);
            database.close();
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + host, e);
        }
    }

    private static ThreadFactory workerThreads(int port) {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "legacy-inventory-" + port + "-worker-" + number.incrementAndGet());
            // A forgotten simulator must not keep a test JVM alive.
            thread.setDaemon(true);
            return thread;
        };
    }
}
