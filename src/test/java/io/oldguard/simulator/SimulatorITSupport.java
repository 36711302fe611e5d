package io.oldguard.simulator;

import io.oldguard.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/** Starts one real simulator on a fresh PostgreSQL database per test class and restores it before each test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SimulatorITSupport {

    // Relative to the Maven base directory, where failsafe runs the tests.
    static final Path WSDL = Path.of("wsdl/inventory.wsdl");

    TestDatabase db;
    LegacyInventorySimulator simulator;
    SoapTestClient client;

    @BeforeAll
    void startSimulator() {
        db = TestDatabase.create();
        simulator = LegacyInventorySimulator.start(settings());
        client = new SoapTestClient(simulator.endpoint());
    }

    @AfterAll
    void stopSimulator() {
        try {
            if (simulator != null) {
                simulator.close();
            }
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    @BeforeEach
    void restoreSeedState() {
        simulator.setServerFaults(false);
        simulator.setLatency(Duration.ZERO);
        simulator.database().reset();
        simulator.resetCounters();
    }

    SimulatorSettings settings() {
        return SimulatorSettings.defaults(WSDL, db.jdbcUrl(), db.user(), db.password());
    }

    SoapTestClient.Reply reserve(int itemId, int quantity) {
        return client.call("ReserveStock", "<ItemID>" + itemId + "</ItemID><Quantity>" + quantity
                + "</Quantity><OrderRef>PO-004711</OrderRef>");
    }
}
