package io.oldguard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The storm's invented IDs, and the working agents' valid calls. */
class AgentCallTest {

    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void theStormInventsNamesFirstStartingWithThePostMortemsOne() {
        assertThat(AgentCall.invented(0, true, random).arguments()).containsEntry("ItemID", "the-blue-widget-from-the-promo");
        assertThat(AgentCall.invented(1234, true, random).arguments().get("ItemID")).isInstanceOf(String.class);
    }

    @Test
    void thenValidLookingNumbersThatNameNoItem() {
        for (int n = 0; n < 1_000; n++) {
            Object id = AgentCall.invented(n, false, random).arguments().get("ItemID");
            assertThat(id).isInstanceOf(Integer.class);
            // Within the contract (1..9999999), outside the catalogue (1..500).
            assertThat((Integer) id).isBetween(1_000_000, 9_999_999);
        }
    }

    @Test
    void theWorkingAgentsCallRealItemsAndReserveOneUnitEveryFifthCall() {
        for (long n = 0; n < 50; n++) {
            AgentCall call = AgentCall.order("order-bot", n, random);
            assertThat((Integer) call.arguments().get("ItemID")).isBetween(1, 500);
            assertThat(call.tool()).isEqualTo(n % 5 == 4 ? "ReserveStock" : "GetStock");
            if (call.tool().equals("ReserveStock")) {
                assertThat(call.arguments()).containsEntry("Quantity", 1);
                assertThat((String) call.arguments().get("OrderRef")).matches("PO-[0-9]{6}");
            }
        }
        assertThat(AgentCall.checkStock("support-bot", random).storming()).isFalse();
        assertThat(AgentCall.invented(0, true, random).storming()).isTrue();
    }
}
