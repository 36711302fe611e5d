package io.oldguard.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One tool call of the storm scene, the same whichever way it travels: through oldguard's JSON API or as a SOAP
 * envelope straight to the service. Argument values keep their JSON type (an invented ItemID may be a string).
 */
record AgentCall(String agent, String tool, Map<String, Object> arguments) {

    /** The agent that storms, as on the night of the incident; it exists only in the demo. */
    static final String STORMING_AGENT = "promo-bot";

    /** Names a model might invent for an item; the first is the one from the post-mortem. */
    private static final String[] INVENTED = {"the-blue-widget-from-the-promo", "blue-widget-promo", "the-promo-widget",
        "widget-blue-large", "promo-item-blue"};

    /** The storming agent's n-th call: an invented name while {@code strings}, then a valid-looking 7-digit ID. */
    static AgentCall invented(long n, boolean strings, SplittableRandom random) {
        Object id = strings ? INVENTED[(int) (n % INVENTED.length)] + (n < INVENTED.length ? "" : "-" + n)
                // Within the contract (1..9999999) but not in the catalogue, whose items are 1..500.
                : (Object) (1_000_000 + random.nextInt(9_000_000));
        return new AgentCall(STORMING_AGENT, "GetStock", Map.of("ItemID", id));
    }

    /** support-bot at work: the stock of a real item. */
    static AgentCall checkStock(String agent, SplittableRandom random) {
        return new AgentCall(agent, "GetStock", Map.of("ItemID", 1 + random.nextInt(500)));
    }

    /** order-bot at work: mostly stock checks, every fifth call a one-unit reservation under a valid order reference. */
    static AgentCall order(String agent, long n, SplittableRandom random) {
        if (n % 5 != 4) {
            return checkStock(agent, random);
        }
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("ItemID", 1 + random.nextInt(500));
        arguments.put("Quantity", 1);
        arguments.put("OrderRef", "PO-%06d".formatted(random.nextInt(1_000_000)));
        return new AgentCall(agent, "ReserveStock", arguments);
    }

    boolean storming() {
        return agent.equals(STORMING_AGENT);
    }
}
