package io.oldguard.passthrough;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.SoapBackendConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.Metrics;
import io.oldguard.testing.RecordingRelay;
import io.oldguard.testing.SidecarHarness;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Legacy SOAP clients through the passthrough, against the real CXF simulator and PostgreSQL, with a recording
 * relay in front of the simulator to prove what bytes reached it and what bytes came back.
 */
class SoapPassthroughIT {

    private final AtomicReference<RecordingRelay> relay = new AtomicReference<>();
    private SidecarHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        if (relay.get() != null) {
            relay.get().close();
        }
    }

    @Test
    void aValidEnvelopeForEveryOperationReachesTheServiceByteForByteAndTheAnswerComesBackUnchanged() {
        start();
        SoapClient soap = client();
        Map<String, String> calls = Map.of(
                "GetStock", "<inv:ItemID>42</inv:ItemID>",
                "ListItems", "<inv:Category>GARDEN</inv:Category><inv:Page>1</inv:Page>",
                "ReserveStock", "<inv:ItemID>7</inv:ItemID><inv:Quantity>2</inv:Quantity><inv:OrderRef>PO-004711</inv:OrderRef>");

        for (Map.Entry<String, String> call : calls.entrySet()) {
            byte[] sent = SoapClient.envelope(call.getKey(), call.getValue()).getBytes(StandardCharsets.UTF_8);
            int before = relay.get().exchanges().size();

            SoapClient.Reply reply = soap.post(ORDER_TOKEN, "\"" + SoapClient.action(call.getKey()) + "\"", sent, Map.of());

            assertThat(reply.status()).as(call.getKey()).isEqualTo(200);
            assertThat(relay.get().exchanges()).hasSize(before + 1);
            RecordingRelay.Exchange reached = relay.get().exchanges().get(before);
            assertThat(reached.request()).as(call.getKey() + " bytes at the service").isEqualTo(sent);
            assertThat(reached.soapAction()).contains(SoapClient.action(call.getKey()));
            assertThat(reached.contentType()).as("the charset oldguard read it in").isEqualTo("text/xml; charset=UTF-8");
            assertThat(reply.body()).as(call.getKey() + " answer").isEqualTo(reached.answer());
            assertThat(reply.isFault()).isFalse();
        }
        assertThat(harness.simulator().requestsReceived()).isEqualTo(3);
    }

    @Test
    void theServicesOwnFaultIsRelayedUnchanged() {
        start();

        SoapClient.Reply reply = client().call(SUPPORT_TOKEN, "GetStock", "<inv:ItemID>888888</inv:ItemID>");

        assertThat(reply.status()).isEqualTo(500);
        assertThat(reply.isFault()).isTrue();
        assertThat(reply.body()).isEqualTo(relay.get().exchanges().getLast().answer());
        assertThat(reply.problem("type")).as("the service's fault, not oldguard's").isNull();
    }

    @Test
    void theServicesServerFaultIsNotRelayedButLoggedAndAnsweredByOldguard() {
        start();
        harness.simulator().setServerFaults(true);

        SoapClient.Reply reply = client().call(SUPPORT_TOKEN, "GetStock", "<inv:ItemID>42</inv:ItemID>");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.faultCode()).isEqualTo("Server");
        assertThat(reply.problem("type")).endsWith("/soap-fault");
        assertThat(new String(relay.get().exchanges().getLast().answer(), StandardCharsets.UTF_8))
                .contains("backend unavailable");
        assertThat(reply.text()).as("the service's own fault text").doesNotContain("backend unavailable");
    }

    @Test
    void aPaddedItemIdIsRefusedRatherThanPassedToAServiceThatMayReadItOtherwise() {
        start();

        SoapClient.Reply reply = client().call(ORDER_TOKEN, "GetStock", "<inv:ItemID> 42 </inv:ItemID>");

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.problem("rule")).isEqualTo("type");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void theIncidentOverSoapIsAClientFaultThatHaltsTheAgentAndReachesNothing() {
        start();
        SoapClient soap = client();

        SoapClient.Reply invalid = soap.call(SUPPORT_TOKEN, "GetStock", "<inv:ItemID>the-blue-widget</inv:ItemID>");

        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.faultCode()).isEqualTo("Client");
        assertThat(invalid.problem("type")).endsWith("/fixed-format-error");
        assertThat(invalid.problem("path")).isEqualTo("ItemID");
        assertThat(invalid.problem("rule")).isEqualTo("type");
        assertThat(invalid.problem("rejected")).isEqualTo("the-blue-widget");
        assertThat(invalid.problem("agentHalted")).isEqualTo("true");
        assertThat(harness.simulator().requestsReceived()).isZero();

        SoapClient.Reply afterwards = soap.call(SUPPORT_TOKEN, "GetStock", "<inv:ItemID>42</inv:ItemID>");
        assertThat(afterwards.status()).isEqualTo(423);
        assertThat(afterwards.problem("type")).endsWith("/agent-halted");
        Http.Reply overJson = harness.agent().postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}");
        assertThat(overJson.status()).as("halted on every transport").isEqualTo(423);
        assertThat(soap.call(ORDER_TOKEN, "GetStock", "<inv:ItemID>42</inv:ItemID>").status()).isEqualTo(200);
        assertThat(harness.simulator().requestsReceived()).isEqualTo(1);
        assertThat(Metrics.value(harness.admin(), "oldguard_validation_failures_total{")).isEqualTo(1.0);
    }

    @Test
    void aHaltedClientPostingAnUnknownOperationIsToldItIsHaltedNotTheOperations() {
        start();
        harness.admin().postJson("/v1/agents/support-bot/halt", SidecarHarness.ADMIN_TOKEN, "{\"reason\": \"probing\"}");

        SoapClient.Reply reply = client().call(SUPPORT_TOKEN, "DropTables", "");

        assertThat(reply.status()).isEqualTo(423);
        assertThat(reply.faultCode()).isEqualTo("Client");
        assertThat(reply.problem("type")).endsWith("/agent-halted");
        assertThat(reply.text()).doesNotContain("GetStock");
        assertThat(client().call(ORDER_TOKEN, "DropTables", "").problem("type"))
                .as("a client that is not halted is told the operations").endsWith("/unknown-operation");
        assertThat(client().call(SUPPORT_TOKEN, "GetStock", "<inv:ItemID>42</inv:ItemID>").status()).isEqualTo(423);
        assertThat(Metrics.value(harness.admin(),
                "oldguard_calls_total{agent=\"support-bot\",outcome=\"halted\",tool=\"GetStock\"}"))
                .as("a well-formed call of a halted client is still counted as its call").isEqualTo(1.0);
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void aSoapActionThatDisagreesWithTheBodyIsRefused() {
        start();
        byte[] getStock = SoapClient.envelope("GetStock", "<inv:ItemID>42</inv:ItemID>").getBytes(StandardCharsets.UTF_8);

        SoapClient.Reply spoofed = client().post(SUPPORT_TOKEN, "\"" + SoapClient.action("ReserveStock") + "\"", getStock, Map.of());

        assertThat(spoofed.status()).isEqualTo(400);
        assertThat(spoofed.faultCode()).isEqualTo("Client");
        assertThat(spoofed.problem("type")).endsWith("/soap-action-mismatch");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void anEmptySoapActionIsTakenFromTheBody() {
        start();
        byte[] getStock = SoapClient.envelope("GetStock", "<inv:ItemID>42</inv:ItemID>").getBytes(StandardCharsets.UTF_8);

        SoapClient.Reply reply = client().post(SUPPORT_TOKEN, "\"\"", getStock, Map.of());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(relay.get().exchanges().getLast().soapAction()).contains(SoapClient.action("GetStock"));
    }

    @Test
    void anAgentWithoutATokenGetsAClientFault() {
        start();

        SoapClient.Reply reply = client().call(null, "GetStock", "<inv:ItemID>42</inv:ItemID>");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.faultCode()).isEqualTo("Client");
        assertThat(reply.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void aToolTheAgentIsNotGrantedIsRefusedAsOverJson() {
        start();

        SoapClient.Reply reply = client().call(SUPPORT_TOKEN, "ReserveStock",
                "<inv:ItemID>7</inv:ItemID><inv:Quantity>2</inv:Quantity><inv:OrderRef>PO-004711</inv:OrderRef>");

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.problem("type")).endsWith("/tool-not-granted");
    }

    @Test
    void anUnreachableServiceIsAServerFaultWithRetryAfter() {
        harness = SidecarHarness.start(UnaryOperator.identity(), config -> config.withBackends(Map.of("inventory",
                config.backends().get("inventory").withEndpoint(URI.create("http://127.0.0.1:9/inventory")))));

        SoapClient.Reply reply = new SoapClient(URI.create(harness.agent().base() + "/inventory"))
                .call(SUPPORT_TOKEN, "GetStock", "<inv:ItemID>42</inv:ItemID>");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.faultCode()).isEqualTo("Server");
        assertThat(reply.headers().firstValue("Retry-After")).isPresent();
        assertThat(reply.problem("retryAfter")).isNotNull();
    }

    @Test
    void aSoap12RequestIsToldTheServiceSpeaksSoap11() {
        start();

        SoapClient.Reply reply = client().post(SUPPORT_TOKEN, null, "<x/>".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/soap+xml; charset=utf-8"));

        assertThat(reply.status()).isEqualTo(415);
        assertThat(reply.problem("detail")).contains("SOAP 1.1");
    }

    private void start() {
        harness = SidecarHarness.start(UnaryOperator.identity(), config -> {
            SoapBackendConfig inventory = config.backends().get("inventory");
            relay.set(RecordingRelay.inFrontOf(inventory.endpoint()));
            return config.withBackends(Map.of("inventory", inventory.withEndpoint(relay.get().endpoint())));
        });
    }

    private SoapClient client() {
        return new SoapClient(URI.create(harness.agent().base() + relay.get().endpoint().getPath()));
    }
}
