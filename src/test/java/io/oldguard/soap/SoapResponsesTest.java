package io.oldguard.soap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oldguard.Setup;
import io.oldguard.catalog.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Reading the service's answer: typed for the JSON API and MCP, only as far as its kind for a relayed answer. */
class SoapResponsesTest {

    private static final Tool GET_STOCK = Setup.load(Path.of("sidecar.yaml")).policies().catalog().find("GetStock")
            .orElseThrow();
    private static final String ENVELOPE = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
            + "<soap:Header><h:Trace xmlns:h=\"urn:trace\">7</h:Trace></soap:Header><soap:Body>%s</soap:Body></soap:Envelope>";
    private static final String STOCK = "<GetStockResponse xmlns=\"http://legacy.example.com/inventory/2008\"><Stock>"
            + "<ItemID>%s</ItemID><Description>Yellow hose</Description><OnHand>114</OnHand></Stock></GetStockResponse>";
    private static final String CLIENT_FAULT = "<soap:Fault><faultcode>soap:Client</faultcode>"
            + "<faultstring>Item not found: 9000001</faultstring></soap:Fault>";

    @Test
    void anAnswerReadForTheJsonApiIsTyped() throws Exception {
        SoapResponses.Parsed parsed = SoapResponses.parse(GET_STOCK, answer(STOCK.formatted("1")), true);

        assertThat(parsed).isInstanceOfSatisfying(SoapResponses.Result.class, r -> {
            assertThat(r.body().path("Stock").path("ItemID").isIntegralNumber()).isTrue();
            assertThat(r.body().path("Stock").path("Description").asText()).isEqualTo("Yellow hose");
        });
    }

    @Test
    void aRelayedAnswerIsRecognisedWithoutBeingTyped() throws Exception {
        // Its content is its client's to read: a value the JSON API would refuse as not an xs:int is relayed.
        SoapResponses.Parsed parsed = SoapResponses.parse(GET_STOCK, answer(STOCK.formatted("one")), false);

        assertThat(parsed).isInstanceOfSatisfying(SoapResponses.Result.class, r -> assertThat(r.body()).isNull());
        assertThatThrownBy(() -> SoapResponses.parse(GET_STOCK, answer(STOCK.formatted("one")), true))
                .isInstanceOf(SoapResponses.UnreadableResponse.class).hasMessageContaining("ItemID");
    }

    @Test
    void aFaultIsReadTheSameWhetherTheAnswerIsRelayedOrNot() throws Exception {
        for (boolean typed : new boolean[] {true, false}) {
            assertThat(SoapResponses.parse(GET_STOCK, answer(CLIENT_FAULT), typed))
                    .isEqualTo(new SoapResponses.Fault("Client", "Item not found: 9000001"));
        }
    }

    @Test
    void aRelayedAnswerThatIsNotTheOperationsResponseIsUnreadable() {
        assertThatThrownBy(() -> SoapResponses.parse(GET_STOCK, answer("<ListItemsResponse/>"), false))
                .isInstanceOf(SoapResponses.UnreadableResponse.class)
                .hasMessage("expected GetStockResponse but got ListItemsResponse");
        assertThatThrownBy(() -> SoapResponses.parse(GET_STOCK, "<html>busy</html>".getBytes(StandardCharsets.UTF_8), false))
                .isInstanceOf(SoapResponses.UnreadableResponse.class);
        assertThatThrownBy(() -> SoapResponses.parse(GET_STOCK, answer(""), false))
                .isInstanceOf(SoapResponses.UnreadableResponse.class).hasMessage("empty SOAP Body");
    }

    private static byte[] answer(String body) {
        return ENVELOPE.formatted(body).getBytes(StandardCharsets.UTF_8);
    }
}
