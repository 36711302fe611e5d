package io.oldguard.simulator;

import jakarta.xml.ws.Provider;
import jakarta.xml.ws.Service;
import jakarta.xml.ws.ServiceMode;
import jakarta.xml.ws.WebServiceProvider;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.xml.transform.dom.DOMSource;
import org.w3c.dom.Element;

/**
 * The inventory service implementation, written the 2008 way: raw payload DOM in, hand-built DOM out, dispatch on
 * the payload's root element, no schema validation, and database errors passed straight back to the caller.
 */
@WebServiceProvider(serviceName = "InventoryService", portName = "InventoryPort", targetNamespace = PayloadXml.NS)
@ServiceMode(Service.Mode.PAYLOAD)
final class InventoryProvider implements Provider<DOMSource> {

    private final InventoryRepository repository;
    private final RequestCounters counters;
    private volatile Duration latency;
    private volatile boolean serverFaults;

    InventoryProvider(InventoryRepository repository, Duration latency, RequestCounters counters) {
        this.counters = counters;
        this.repository = repository;
        this.latency = latency;
    }

    void setLatency(Duration latency) {
        this.latency = latency;
    }

    void setServerFaults(boolean on) {
        this.serverFaults = on;
    }

    @Override
    public DOMSource invoke(DOMSource request) {
        counters.enter();
        try {
            return serve(request);
        } catch (RuntimeException fault) {
            // Whatever escapes, CXF answers with a SOAP fault.
            counters.fault();
            throw fault;
        } finally {
            counters.exit();
        }
    }

    private DOMSource serve(DOMSource request) {
        // The latency is spent on a worker thread, so slow requests occupy the small pool as on the old server.
        pause(latency);
        if (serverFaults) {
            throw LegacyFaults.server("Internal error: backend unavailable");
        }
        Element payload = PayloadXml.root(request);
        String operation = payload == null ? "" : payload.getLocalName();
        try {
            return switch (operation) {
                case "GetStockRequest" -> getStock(payload);
                case "ReserveStockRequest" -> reserveStock(payload);
                case "ListItemsRequest" -> listItems(payload);
                default -> throw LegacyFaults.client("Unknown operation: " + operation);
            };
        } catch (SQLException e) {
            // As in 2008: the raw database message goes back in the faultstring.
            throw LegacyFaults.server(e.getMessage());
        } catch (NumberFormatException e) {
            throw LegacyFaults.server(e.toString());
        }
    }

    private DOMSource getStock(Element request) throws SQLException {
        InventoryRepository.Stock stock = repository.getStock(PayloadXml.text(request, "ItemID"));
        Element response = PayloadXml.newResponse("GetStockResponse");
        Element element = PayloadXml.append(response, "Stock");
        PayloadXml.append(element, "ItemID", stock.itemId());
        PayloadXml.append(element, "Description", stock.description());
        PayloadXml.append(element, "Category", stock.category());
        PayloadXml.append(element, "OnHand", stock.onHand());
        PayloadXml.append(element, "Reserved", stock.reserved());
        PayloadXml.append(element, "Warehouse", stock.warehouse());
        return PayloadXml.source(response);
    }

    private DOMSource reserveStock(Element request) throws SQLException {
        InventoryRepository.Reservation reservation = repository.reserve(PayloadXml.text(request, "ItemID"),
                PayloadXml.text(request, "Quantity"), PayloadXml.text(request, "OrderRef"));
        Element response = PayloadXml.newResponse("ReserveStockResponse");
        PayloadXml.append(response, "ReservationId", reservation.reservationId());
        PayloadXml.append(response, "Remaining", reservation.remaining());
        return PayloadXml.source(response);
    }

    private DOMSource listItems(Element request) throws SQLException {
        String page = PayloadXml.text(request, "Page");
        List<InventoryRepository.ListedItem> items = repository.listItems(PayloadXml.text(request, "Category"),
                page, PayloadXml.text(request, "NameFilter"));
        Element response = PayloadXml.newResponse("ListItemsResponse");
        PayloadXml.append(response, "Page", page);
        for (InventoryRepository.ListedItem item : items) {
            Element element = PayloadXml.append(response, "Item");
            PayloadXml.append(element, "ItemID", item.itemId());
            PayloadXml.append(element, "Description", item.description());
            PayloadXml.append(element, "OnHand", item.onHand());
        }
        return PayloadXml.source(response);
    }

    private static void pause(Duration latency) {
        if (latency.isZero()) {
            return;
        }
        try {
            Thread.sleep(latency);
        } catch (InterruptedException e) {
            // Only happens when the simulator shuts its workers down mid-request.
            Thread.currentThread().interrupt();
            throw LegacyFaults.server("Internal error: request interrupted");
        }
    }
}
