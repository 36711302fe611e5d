package io.oldguard.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The simulator's operations, faults and contract, driven over plain HTTP against a real PostgreSQL. */
class LegacyInventorySimulatorIT extends SimulatorITSupport {

    @Test
    void getStockReturnsTheSeededRow() {
        SoapTestClient.Reply reply = client.call("GetStock", "<ItemID>42</ItemID>");

        SeedItem seeded = SeedItem.of(42);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.texts("GetStockResponse")).hasSize(1);
        assertThat(List.of(reply.text("ItemID"), reply.text("Description"), reply.text("Category"),
                reply.text("OnHand"), reply.text("Reserved"), reply.text("Warehouse")))
                .containsExactly("42", seeded.description(), seeded.category(), String.valueOf(seeded.onHand()),
                        "0", seeded.warehouse());
    }

    @Test
    void nonNumericItemIdReachesPostgresAndComesBackAsServerFault() {
        SoapTestClient.Reply reply = client.call("GetStock", "<ItemID>the-blue-widget</ItemID>");

        assertThat(reply.status()).isEqualTo(500);
        assertThat(reply.faultCode()).isEqualTo("Server");
        assertThat(reply.faultString())
                .contains("invalid input syntax for type integer")
                .contains("the-blue-widget");
    }

    @Test
    void unknownItemIsAClientFault() {
        SoapTestClient.Reply reply = client.call("GetStock", "<ItemID>12345</ItemID>");

        assertThat(reply.status()).isEqualTo(500);
        assertThat(reply.faultCode()).isEqualTo("Client");
        assertThat(reply.faultString()).isEqualTo("Item not found: 12345");
    }

    @Test
    void reserveStockReservesAndLowersRemaining() {
        int onHand = SeedItem.of(7).onHand();

        SoapTestClient.Reply first = reserve(7, 5);
        SoapTestClient.Reply second = reserve(7, 4);

        assertThat(first.text("ReservationId")).isEqualTo("R-00000001");
        assertThat(first.text("Remaining")).isEqualTo(String.valueOf(onHand - 5));
        assertThat(second.text("ReservationId")).isEqualTo("R-00000002");
        assertThat(second.text("Remaining")).isEqualTo(String.valueOf(onHand - 9));
        assertThat(client.call("GetStock", "<ItemID>7</ItemID>").text("Reserved")).isEqualTo("9");
    }

    @Test
    void reservingMoreThanAvailableIsAClientFault() {
        int onHand = SeedItem.of(7).onHand();

        SoapTestClient.Reply reply = reserve(7, onHand + 1);

        assertThat(reply.faultCode()).isEqualTo("Client");
        assertThat(reply.faultString()).isEqualTo("Insufficient stock for item 7: " + onHand + " available, "
                + (onHand + 1) + " requested");
        assertThat(client.call("GetStock", "<ItemID>7</ItemID>").text("Reserved")).isEqualTo("0");
    }

    @Test
    void listItemsFirstPageHasTwentyItemsOfTheCategory() {
        SoapTestClient.Reply reply = client.call("ListItems", "<Category>TOOLS</Category><Page>1</Page>");

        assertThat(reply.text("Page")).isEqualTo("1");
        assertThat(reply.texts("ItemID")).containsExactlyElementsOf(
                IntStream.range(0, 20).mapToObj(k -> String.valueOf(1 + 5 * k)).toList());
    }

    @Test
    void nameFilterNarrowsTheList() {
        SoapTestClient.Reply reply = client.call("ListItems",
                "<Category>TOOLS</Category><Page>1</Page><NameFilter>WIDGET</NameFilter>");

        List<String> expected = IntStream.rangeClosed(1, SeedItem.COUNT).mapToObj(SeedItem::of)
                .filter(item -> item.category().equals("TOOLS") && item.description().contains("widget"))
                .map(item -> String.valueOf(item.itemId())).limit(20).toList();
        assertThat(expected).isNotEmpty().hasSizeLessThan(20);
        assertThat(reply.texts("ItemID")).containsExactlyElementsOf(expected);
        assertThat(reply.texts("Description")).allSatisfy(d -> assertThat(d).containsIgnoringCase("widget"));
    }

    @Test
    void requestCounterCountsEveryRequestIncludingFaults() {
        client.call("GetStock", "<ItemID>1</ItemID>");
        client.call("GetStock", "<ItemID>the-blue-widget</ItemID>");
        reserve(1, 10_000);
        client.call("ListItems", "<Category>GARDEN</Category><Page>1</Page>");
        SoapTestClient.Reply garbage = client.post("", "<soapenv:Envelope this is not XML");

        assertThat(garbage.status()).isGreaterThanOrEqualTo(400);
        assertThat(simulator.requestsReceived()).isEqualTo(5);
        assertThat(simulator.requestsReceived("GetStock")).isEqualTo(2);
        assertThat(simulator.requestsReceived("ReserveStock")).isEqualTo(1);
        assertThat(simulator.requestsReceived("ListItems")).isEqualTo(1);
        simulator.resetCounters();
        assertThat(simulator.requestsReceived()).isZero();
        assertThat(simulator.requestsReceived("GetStock")).isZero();
    }

    @Test
    void faultCounterCountsTheRequestsTheServiceAnsweredWithAFault() {
        client.call("GetStock", "<ItemID>1</ItemID>");
        client.call("GetStock", "<ItemID>the-blue-widget</ItemID>");   // PostgreSQL's type error, passed back
        client.call("GetStock", "<ItemID>1234567</ItemID>");           // an unknown item
        reserve(1, 10_000);                                             // more than there is
        client.call("ListItems", "<Category>GARDEN</Category><Page>1</Page>");
        client.post("", "<soapenv:Envelope this is not XML");           // refused by CXF before the service code

        assertThat(simulator.faultsAnswered()).isEqualTo(3);
        simulator.resetCounters();
        assertThat(simulator.faultsAnswered()).isZero();
    }

    @Test
    void wsdlIsServedWithTheLiveAddressAndIsNotCountedAsARequest() throws Exception {
        HttpResponse<String> wsdl = client.get(URI.create(simulator.endpoint() + "?wsdl"));

        assertThat(wsdl.statusCode()).isEqualTo(200);
        assertThat(wsdl.body())
                .contains("http://legacy.example.com/inventory/2008")
                .contains("GetStockRequest", "ReserveStockRequest", "ListItemsRequest")
                .contains("location=\"" + simulator.endpoint() + "\"");
        assertThat(simulator.requestsReceived()).isZero();
    }
}
