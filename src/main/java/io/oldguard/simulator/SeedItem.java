package io.oldguard.simulator;

import java.util.List;

/** One row of the deterministic seed data, so tests can state expectations without querying the database. */
public record SeedItem(int itemId, String description, String category, int onHand, int reserved, String warehouse) {

    /** Number of seeded items; ids run from 1 to this. */
    public static final int COUNT = 500;

    /** The 2008 catalogue categories, in the order item ids cycle through them. */
    public static final List<String> CATEGORIES = List.of("TOOLS", "HARDWARE", "ELECTRICAL", "PLUMBING", "GARDEN");

    // Two word lists of co-prime lengths give varied descriptions ("Blue widget 1", "Red bracket 2", ...).
    private static final List<String> COLOURS = List.of("Blue", "Red", "Green", "Steel", "Brass", "Black", "Yellow");
    private static final List<String> THINGS = List.of("widget", "bracket", "hinge", "coupling", "valve", "clamp",
            "spanner", "fitting", "hose", "switch", "trowel");

    /** The seed row of {@code itemId} (1..{@value #COUNT}). */
    public static SeedItem of(int itemId) {
        if (itemId < 1 || itemId > COUNT) {
            throw new IllegalArgumentException("seeded item ids are 1.." + COUNT + ": " + itemId);
        }
        int index = itemId - 1;
        String description = COLOURS.get(index % COLOURS.size()) + " " + THINGS.get(index % THINGS.size()) + " " + itemId;
        return new SeedItem(itemId, description, CATEGORIES.get(index % CATEGORIES.size()),
                (itemId * 7) % 200 + 20, 0, "WH-" + (itemId % 3 + 1));
    }
}
