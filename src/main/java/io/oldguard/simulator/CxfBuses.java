package io.oldguard.simulator;

import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.jaxws.EndpointImpl;
import org.apache.cxf.transport.http_jetty.JettyHTTPServerEngineFactory;

/** Creates a CXF bus private to one simulator, so several simulators can start and stop in one JVM. */
final class CxfBuses {

    private CxfBuses() {
    }

    /** A new bus that will serve {@code port}; fails if another CXF endpoint in this JVM already serves it. */
    static Bus createPrivateBus(int port) {
        Bus previousThreadBus = BusFactory.getThreadDefaultBus(false);
        Bus bus = BusFactory.newInstance().createBus();
        // createBus() makes the first bus in a JVM the global (and thread) default; undo that so other CXF users,
        // e.g. oldguard's WSDL catalogue, never pick up a bus this simulator will shut down.
        if (BusFactory.getDefaultBus(false) == bus) {
            BusFactory.setDefaultBus(null);
        }
        BusFactory.setThreadDefaultBus(previousThreadBus);
        // The stock engine factory shuts down every Jetty engine in its JVM-wide port map when any bus shuts
        // down (logging "still in use" for other simulators' engines). A factory built without a bus is no
        // bus listener, so the simulator stops exactly its own engine, by port, in close().
        JettyHTTPServerEngineFactory engines = new JettyHTTPServerEngineFactory();
        bus.setExtension(engines, JettyHTTPServerEngineFactory.class);
        if (engines.retrieveJettyHTTPServerEngine(port) != null) {
            // Publishing would silently join that engine, and cleaning up would then stop someone else's server.
            bus.shutdown(true);
            throw new IllegalStateException("Port " + port + " is already served by a CXF endpoint in this JVM");
        }
        return bus;
    }

    /**
     * Publishes with {@code bus} as the thread's default: CXF internals that ask for "the" bus while publishing
     * would otherwise create a JVM-wide default bus as a side effect.
     */
    static void publish(Bus bus, EndpointImpl endpoint, String address) {
        Bus previous = BusFactory.getAndSetThreadDefaultBus(bus);
        try {
            endpoint.publish(address);
        } finally {
            BusFactory.setThreadDefaultBus(previous);
        }
    }
}
