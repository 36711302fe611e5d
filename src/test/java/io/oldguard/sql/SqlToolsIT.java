package io.oldguard.sql;

import static io.oldguard.testing.SidecarHarness.ORDER_TOKEN;
import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oldguard.config.SidecarConfig;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SQL tools against a real PostgreSQL: typed results, validation before the database, locks, cancellation. */
class SqlToolsIT {

    private static final String POLICIES = """
            sqlTools:
              low_stock:
                description: Items of a category with little free stock.
                sql: >
                  SELECT item_id, description, on_hand - reserved AS available
                  FROM inv WHERE category = :category AND on_hand - reserved < :below ORDER BY available, item_id
                params:
                  category: { type: enumeration, enum: [TOOLS, HARDWARE, ELECTRICAL, PLUMBING, GARDEN] }
                  below: { type: integer, minimum: 1, maximum: 1000 }
                maxRows: 5
              counted_lookup:
                description: Looks an item up and records that the statement ran.
                readOnly: false
                sql: SELECT og_record(:item_id) AS recorded
                params:
                  item_id: { type: integer, minimum: 1, maximum: 9999999 }
              reserve_units:
                description: Reserves units of one item, locking its row.
                readOnly: false
                sql: UPDATE inv SET reserved = reserved + :qty WHERE item_id = :item_id RETURNING item_id, reserved
                params:
                  item_id: { type: integer, minimum: 1, maximum: 500 }
                  qty: { type: integer, minimum: 1, maximum: 5 }
              slow_query:
                description: Sleeps in the database.
                sql: SELECT pg_sleep(:seconds) IS NOT NULL AS slept
                params:
                  seconds: { type: numeric, minimum: 0, maximum: 60 }
                timeout: 30s
            agents:
              support-bot:
                tools: [low_stock, counted_lookup, slow_query]
              order-bot:
                tools: [reserve_units, low_stock]
                limits: { maxInFlight: 32 }   # the lock storm's 20 callers all reach the pool, which is under test
            """;

    private static SidecarHarness harness;
    private static Http agent;

    @BeforeAll
    static void start() {
        String policies = TestPolicies.folderWith(POLICIES);
        UnaryOperator<SidecarConfig> config = c -> c.withPolicies(policies).withDatabases(Map.of("inventory-db",
                c.databases().get("inventory-db").withStatementTimeout(Duration.ofSeconds(60))));
        harness = SidecarHarness.start(s -> s, config, sql -> {
            sql.execute("CREATE TABLE og_calls (item_id integer NOT NULL)");
            sql.execute("""
                    CREATE FUNCTION og_record(id integer) RETURNS integer LANGUAGE sql VOLATILE AS
                    'INSERT INTO og_calls VALUES (id) RETURNING item_id'""");
        });
        agent = harness.agent();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void aValidCallReturnsTypedRowsCutAtMaxRows() throws SQLException {
        Http.Reply reply = agent.postJson("/v1/tools/low_stock", SUPPORT_TOKEN, "{\"category\": \"GARDEN\", \"below\": 1000}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode result = reply.json().path("result");
        assertThat(result.path("rows")).hasSize(5);
        assertThat(result.path("truncated").asBoolean()).isTrue();
        JsonNode first = result.path("rows").get(0);
        assertThat(first.path("item_id").isIntegralNumber()).isTrue();
        assertThat(first.path("available").isIntegralNumber()).isTrue();
        assertThat(first.path("item_id").asInt()).isEqualTo(queryInt(
                "SELECT item_id FROM inv WHERE category = 'GARDEN' ORDER BY on_hand - reserved, item_id LIMIT 1"));
    }

    @Test
    void theListingShowsSqlToolsWithTheirSchemas() {
        JsonNode tools = agent.get("/v1/tools", SUPPORT_TOKEN).json().path("tools");

        JsonNode lowStock = tools.get(1);
        assertThat(lowStock.path("name").asText()).isEqualTo("low_stock");
        assertThat(lowStock.path("inputSchema").path("properties").path("below").path("maximum").asInt()).isEqualTo(1000);
        assertThat(lowStock.path("inputSchema").path("properties").path("category").path("enum")).hasSize(5);
        assertThat(lowStock.path("outputSchema").path("properties").path("rows").path("items").path("properties")
                .path("item_id").path("type").asText()).isEqualTo("integer");
    }

    @Test
    void anInvalidArgumentNeverReachesTheDatabaseAndHaltsTheAgent() throws SQLException {
        assertThat(agent.postJson("/v1/tools/counted_lookup", SUPPORT_TOKEN, "{\"item_id\": 42}").status()).isEqualTo(200);
        assertThat(queryInt("SELECT count(*) FROM og_calls")).as("the valid call ran").isEqualTo(1);

        Http.Reply refused = agent.postJson("/v1/tools/counted_lookup", SUPPORT_TOKEN, "{\"item_id\": \"the-blue-widget\"}");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().path("type").asText()).endsWith("/fixed-format-error");
        assertThat(refused.json().path("detail").asText())
                .isEqualTo("item_id must be an integer from 1 to 9999999; you sent the string \"the-blue-widget\".");
        assertThat(agent.postJson("/v1/tools/counted_lookup", SUPPORT_TOKEN, "{\"item_id\": 43}").status()).isEqualTo(423);
        assertThat(queryInt("SELECT count(*) FROM og_calls")).as("the statement never ran again").isEqualTo(1);
        harness.admin().postJson("/v1/agents/support-bot/release", SidecarHarness.ADMIN_TOKEN, "");
    }

    @Test
    void aLockStormStaysWithinThePoolAndEndsInBoundedAnswers() throws Exception {
        try (Connection holder = harness.database().connect()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("SELECT * FROM inv WHERE item_id = 7 FOR UPDATE");
            }
            AtomicInteger maxConnections = new AtomicInteger();
            ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> millis = new ConcurrentLinkedQueue<>();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                callers.add(Thread.ofVirtual().start(() -> {
                    long start = System.nanoTime();
                    statuses.add(agent.postJson("/v1/tools/reserve_units", ORDER_TOKEN, "{\"item_id\": 7, \"qty\": 1}").status());
                    millis.add((System.nanoTime() - start) / 1_000_000);
                }));
            }
            while (callers.stream().anyMatch(Thread::isAlive)) {
                maxConnections.accumulateAndGet(oldguardSessions(""), Math::max);
                Thread.sleep(20);
            }

            assertThat(maxConnections.get()).as("oldguard sessions in pg_stat_activity").isBetween(1, 5);
            assertThat(statuses).as("lock timeouts or a full pool, nothing else").containsOnly(503);
            // lock_timeout 1s + connection wait 1s, with slack for a busy machine: nobody queues on the lock.
            assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(4000));
            holder.rollback();
        }

        Http.Reply after = agent.postJson("/v1/tools/reserve_units", ORDER_TOKEN, "{\"item_id\": 7, \"qty\": 1}");
        assertThat(after.status()).as(after.body()).isEqualTo(200);
        for (int i = 0; i < 50 && oldguardSessions("AND state IN ('active', 'idle in transaction')") > 0; i++) {
            Thread.sleep(20);
        }
        assertThat(oldguardSessions("AND state IN ('active', 'idle in transaction')")).isZero();
    }

    @Test
    void aCallerThatDisconnectsHasItsQueryCancelledInTheDatabase() throws Exception {
        try (Socket socket = agent.postAndHold("/v1/tools/slow_query", SUPPORT_TOKEN, "{\"seconds\": 20}")) {
            for (int i = 0; i < 100 && sleepingQueries() == 0; i++) {
                Thread.sleep(20);
            }
            assertThat(sleepingQueries()).as("the query runs in PostgreSQL").isEqualTo(1);
        }

        // Far less than the 20 s the query would take: only a cancel ends it this soon.
        for (int i = 0; i < 100 && sleepingQueries() > 0; i++) {
            Thread.sleep(20);
        }
        assertThat(sleepingQueries()).as("cancelled in PostgreSQL").isZero();
        for (int i = 0; i < 50 && oldguardSessions("AND state = 'idle in transaction'") > 0; i++) {
            Thread.sleep(20);
        }
        assertThat(oldguardSessions("AND state = 'idle in transaction'")).as("its connection was returned").isZero();
    }

    private static int sleepingQueries() throws SQLException {
        return oldguardSessions("AND state = 'active' AND query LIKE '%pg_sleep%'");
    }

    private static int oldguardSessions(String condition) throws SQLException {
        return queryInt("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'oldguard' AND datname = '"
                + harness.database().name() + "' " + condition);
    }

    private static int queryInt(String sql) throws SQLException {
        try (Connection c = harness.database().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
