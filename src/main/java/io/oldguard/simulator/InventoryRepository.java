package io.oldguard.simulator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The 2008 data access code of the inventory service.
 *
 * <p>DELIBERATELY UNSAFE: every statement is built by string concatenation, exactly as the incident's middleware
 * did, so whatever an agent sends (a non-numeric ItemID, a quote in a NameFilter, page 0) reaches PostgreSQL
 * unchecked. This is the damage oldguard exists to stop; do not "fix" it with bind parameters.
 */
final class InventoryRepository {

    /** One item's stock as returned by GetStock. */
    record Stock(int itemId, String description, String category, int onHand, int reserved, String warehouse) {
    }

    /** A successful reservation and the units still available afterwards. */
    record Reservation(String reservationId, int remaining) {
    }

    /** One line of a ListItems page. */
    record ListedItem(int itemId, String description, int onHand) {
    }

    static final int PAGE_SIZE = 20;

    private final InventoryDatabase database;

    InventoryRepository(InventoryDatabase database) {
        this.database = database;
    }

    Stock getStock(String itemIdText) throws SQLException {
        // Deliberate concatenation: "the-blue-widget" becomes a PostgreSQL "invalid input syntax" error.
        String sql = "SELECT item_id, description, category, on_hand, reserved, warehouse FROM inv"
                + " WHERE item_id = '" + itemIdText + "'";
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw LegacyFaults.client("Item not found: " + itemIdText);
            }
            return new Stock(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getString(6));
        }
    }

    Reservation reserve(String itemIdText, String quantityText, String orderRef) throws SQLException {
        // Like the old code, a non-numeric Quantity escapes as a raw NumberFormatException; no range check either.
        int quantity = Integer.parseInt(quantityText);
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                Reservation reservation = reserve(s, itemIdText, quantity, orderRef);
                c.commit();
                return reservation;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static Reservation reserve(Statement s, String itemIdText, int quantity, String orderRef)
            throws SQLException {
        // Deliberate concatenation; FOR UPDATE holds the row lock until commit, as the WSDL documents.
        int available;
        try (ResultSet rs = s.executeQuery("SELECT on_hand, reserved FROM inv WHERE item_id = '" + itemIdText
                + "' FOR UPDATE")) {
            if (!rs.next()) {
                throw LegacyFaults.client("Item not found: " + itemIdText);
            }
            available = rs.getInt(1) - rs.getInt(2);
        }
        if (available < quantity) {
            throw LegacyFaults.client("Insufficient stock for item " + itemIdText + ": " + available
                    + " available, " + quantity + " requested");
        }
        int remaining;
        try (ResultSet rs = s.executeQuery("UPDATE inv SET reserved = reserved + " + quantity
                + " WHERE item_id = '" + itemIdText + "' RETURNING on_hand - reserved")) {
            rs.next();
            remaining = rs.getInt(1);
        }
        // Deliberate concatenation of the caller's OrderRef: a quote in it breaks (or rewrites) the INSERT.
        try (ResultSet rs = s.executeQuery("INSERT INTO reservations (reservation_id, item_id, quantity, order_ref)"
                + " VALUES ('R-' || lpad(nextval('reservation_seq')::text, 8, '0'), '" + itemIdText + "', "
                + quantity + ", '" + orderRef + "') RETURNING reservation_id")) {
            rs.next();
            return new Reservation(rs.getString(1), remaining);
        }
    }

    List<ListedItem> listItems(String category, String pageText, String nameFilter) throws SQLException {
        // Deliberate concatenation of Category, NameFilter and Page: page 0 reaches PostgreSQL as a negative OFFSET.
        String sql = "SELECT item_id, description, on_hand FROM inv WHERE category = '" + category + "'"
                + (nameFilter == null ? "" : " AND description ILIKE '%" + nameFilter + "%'")
                + " ORDER BY item_id LIMIT " + PAGE_SIZE + " OFFSET (" + pageText + " - 1) * " + PAGE_SIZE;
        List<ListedItem> items = new ArrayList<>();
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                items.add(new ListedItem(rs.getInt(1), rs.getString(2), rs.getInt(3)));
            }
        }
        return items;
    }
}
