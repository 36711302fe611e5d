package io.oldguard.http;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JSON tool API against a real Netty port, the real CXF simulator and a real PostgreSQL. */
class AgentPortIT {

    private static SidecarHarness harness;
    private static Http agent;

    @BeforeAll
    static void start() {
        harness = SidecarHarness.start();
        agent = harness.agent();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void resetCounters() {
        harness.simulator().resetCounters();
    }

    @Test
    void getStockReturnsTheDatabaseRowAsTypedJson() throws SQLException {
        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode stock = reply.json().path("result").path("Stock");
        assertThat(stock.path("ItemID").isInt() || stock.path("ItemID").isLong()).isTrue();
        assertThat(stock.path("ItemID").asInt()).isEqualTo(42);
        assertThat(stock.path("OnHand").asInt()).isEqualTo(queryInt("SELECT on_hand - 0 FROM inv WHERE item_id = 42"));
        assertThat(stock.path("Description").asText()).isEqualTo(queryString("SELECT description FROM inv WHERE item_id = 42"));
        assertThat(reply.json().path("requestId").asText()).isEqualTo(reply.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(harness.simulator().requestsReceived("GetStock")).isEqualTo(1);
    }

    @Test
    void anIntegerWrittenWithAFractionOfZeroReachesTheServiceAsAnInteger() {
        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42.0}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("result").path("Stock").path("ItemID").asInt()).isEqualTo(42);
    }

    @Test
    void reserveStockReservesInTheDatabase() throws SQLException {
        int reservedBefore = queryInt("SELECT reserved FROM inv WHERE item_id = 7");

        Http.Reply reply = agent.postJson("/v1/tools/ReserveStock", ORDER_TOKEN,
                "{\"ItemID\": 7, \"Quantity\": 2, \"OrderRef\": \"PO-004711\"}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("result").path("ReservationId").asText()).startsWith("R-");
        assertThat(queryInt("SELECT reserved FROM inv WHERE item_id = 7")).isEqualTo(reservedBefore + 2);
        assertThat(reply.json().path("result").path("Remaining").asInt())
                .isEqualTo(queryInt("SELECT on_hand - reserved FROM inv WHERE item_id = 7"));
    }

    @Test
    void listItemsReturnsOnePageOfTheCategory() throws SQLException {
        Http.Reply reply = agent.postJson("/v1/tools/ListItems", SUPPORT_TOKEN, "{\"Category\": \"GARDEN\", \"Page\": 1}");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode items = reply.json().path("result").path("Item");
        assertThat(items.isArray()).isTrue();
        assertThat(items).hasSize(Math.min(20, queryInt("SELECT count(*) FROM inv WHERE category = 'GARDEN'")));
        assertThat(items.get(0).path("ItemID").asInt())
                .isEqualTo(queryInt("SELECT min(item_id) FROM inv WHERE category = 'GARDEN'"));
    }

    @Test
    void unknownItemComesBackAsSoapClientFaultProblem() {
        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 888888}");

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().path("type").asText()).endsWith("/soap-fault");
        assertThat(reply.json().path("faultCode").asText()).isEqualTo("Client");
        assertThat(reply.json().path("faultString").asText()).contains("Item not found: 888888");
    }

    @Test
    void listsOnlyTheToolsTheAgentIsGranted() {
        Http.Reply reply = agent.get("/v1/tools", SUPPORT_TOKEN);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("tools")).extracting(t -> t.path("name").asText())
                .containsExactly("GetStock", "ListItems", "low_stock");
        JsonNode itemId = reply.json().path("tools").get(0).path("inputSchema").path("properties").path("ItemID");
        assertThat(itemId.path("type").asText()).isEqualTo("integer");
        assertThat(itemId.path("minimum").asInt()).isEqualTo(1);
        assertThat(itemId.path("maximum").asInt()).as("the policy's tighter bound, not xs:int's").isEqualTo(9_999_999);
    }

    @Test
    void listingShowsThePolicyPatternBesideTheXsdOne() {
        JsonNode orderRef = agent.get("/v1/tools", ORDER_TOKEN).json().path("tools").get(2)
                .path("inputSchema").path("properties").path("OrderRef");

        assertThat(orderRef.path("allOf")).extracting(p -> p.path("pattern").asText())
                .containsExactly("^(?:PO-[0-9]{4,10})$", "^PO-[0-9]{6}$");
        assertThat(orderRef.path("maxLength").asInt()).isEqualTo(13);
    }

    @Test
    void listsToolsAsOpenAiFunctions() {
        Http.Reply reply = agent.get("/v1/tools?format=openai", ORDER_TOKEN);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().isArray()).isTrue();
        assertThat(reply.json()).extracting(t -> t.path("function").path("name").asText())
                .containsExactly("GetStock", "ListItems", "ReserveStock", "item_reservations", "low_stock");
        assertThat(reply.json().get(0).path("type").asText()).isEqualTo("function");
        assertThat(reply.json().get(0).path("function").path("parameters").path("type").asText()).isEqualTo("object");
    }

    @Test
    void missingTokenGets401AndReachesNothing() {
        Http.Reply reply = agent.postJson("/v1/tools/GetStock", null, "{\"ItemID\": 42}");

        assertProblem(reply, 401, "unauthenticated");
        assertThat(reply.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void unknownTokenGets401EvenForListing() {
        assertProblem(agent.get("/v1/tools", "somebody-else-entirely-0000"), 401, "unauthenticated");
        assertProblem(agent.postJson("/v1/tools/GetStock", "somebody-else-entirely-0000", "{\"ItemID\": 42}"), 401, "unauthenticated");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void toolNotGrantedGets403() {
        Http.Reply reply = agent.postJson("/v1/tools/ReserveStock", SUPPORT_TOKEN,
                "{\"ItemID\": 7, \"Quantity\": 2, \"OrderRef\": \"PO-004711\"}");

        assertProblem(reply, 403, "tool-not-granted");
        assertThat(reply.json().path("detail").asText()).contains("GetStock, ListItems");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void malformedJsonGets400() {
        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42");

        assertProblem(reply, 400, "malformed-json");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void jsonArrayInsteadOfObjectGets400() {
        assertProblem(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "[42]"), 400, "malformed-json");
    }

    @Test
    void duplicateKeysGet400() {
        assertProblem(agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 1, \"ItemID\": 2}"), 400, "malformed-json");
    }

    @Test
    void jsonDeeperThanTheLimitGets400() {
        String deep = "{\"ItemID\": " + "[".repeat(100) + "1" + "]".repeat(100) + "}";

        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, deep);

        assertProblem(reply, 400, "json-too-deep");
        assertThat(reply.json().path("maxDepth").asInt()).isEqualTo(16);
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void bodyOverTheLimitGets413() {
        String huge = "{\"ItemID\": \"" + "x".repeat(1024 * 1024 + 10) + "\"}";

        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, huge);

        assertProblem(reply, 413, "body-too-large");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void unknownToolGets404NamingTheTools() {
        Http.Reply reply = agent.postJson("/v1/tools/DropTables", SUPPORT_TOKEN, "{}");

        assertProblem(reply, 404, "unknown-tool");
        assertThat(reply.json().path("detail").asText()).contains("GetStock");
    }

    @Test
    void wrongMethodGets405WithAllow() {
        Http.Reply reply = agent.get("/v1/tools/GetStock", SUPPORT_TOKEN);

        assertProblem(reply, 405, "method-not-allowed");
        assertThat(reply.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void wrongContentTypeGets415() {
        Http.Reply reply = agent.post("/v1/tools/GetStock", SUPPORT_TOKEN, "text/xml", "<ItemID>42</ItemID>");

        assertProblem(reply, 415, "unsupported-media-type");
        assertThat(harness.simulator().requestsReceived()).isZero();
    }

    @Test
    void unknownPathGets404() {
        assertProblem(agent.get("/admin/secrets", SUPPORT_TOKEN), 404, "not-found");
    }

    @Test
    void keepsServingOthersAfterHostileInput() {
        agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": " + "[".repeat(5000));
        agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": \"" + "y".repeat(2 * 1024 * 1024) + "\"}");

        Http.Reply reply = agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": 3}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(harness.simulator().requestsReceived()).isEqualTo(1);
    }

    static void assertProblem(Http.Reply reply, int status, String type) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).isEqualTo("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.path("type").asText()).isEqualTo("https://oldguard.dev/problems/" + type);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("detail").asText()).isNotBlank();
    }

    private static int queryInt(String sql) throws SQLException {
        return Integer.parseInt(queryString(sql));
    }

    private static String queryString(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(harness.database().jdbcUrl(), harness.database().user(),
                harness.database().password()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
