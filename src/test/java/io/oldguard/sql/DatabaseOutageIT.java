package io.oldguard.sql;

import static io.oldguard.testing.SidecarHarness.SUPPORT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.SidecarHarness;
import io.oldguard.testing.TestPolicies;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** PostgreSQL stopped and started under load: 503s while it is down, then full recovery, no stale connections. */
class DatabaseOutageIT {

    private static final String POLICIES = """
            sqlTools:
              count_items:
                description: Counts the items.
                sql: SELECT count(*) AS items FROM og_items WHERE id > :above
                params:
                  above: { type: integer, minimum: 0, maximum: 1000 }
            agents:
              support-bot:
                tools: [count_items]
            """;

    /** One call: when it was sent, when it was answered, and how. */
    private record Sample(long atNanos, long doneNanos, int status) {
    }

    @Test
    void callsFailFastWhileTheDatabaseIsDownAndRecoverWhenItIsBack() throws Exception {
        Path data = Files.createTempDirectory("oldguard-pg");
        int port = freePort();
        EmbeddedPostgres postgres = start(data, port);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE og_items (id integer)");
            s.execute("INSERT INTO og_items SELECT generate_series(1, 10)");
        }
        String url = postgres.getJdbcUrl("postgres", "postgres");
        String policies = TestPolicies.folderWith(POLICIES);
        try (SidecarHarness harness = SidecarHarness.start(s -> s, c -> c.withPolicies(policies).withDatabases(Map.of(
                "inventory-db", c.databases().get("inventory-db").withUrl(url))))) {
            Http agent = harness.agent();
            List<Sample> samples = new CopyOnWriteArrayList<>();
            Thread load = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long sent = System.nanoTime();
                    int status = agent.postJson("/v1/tools/count_items", SUPPORT_TOKEN, "{\"above\": 0}").status();
                    samples.add(new Sample(sent, System.nanoTime(), status));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            // Cold, a first call can take seconds on a busy host; the outage starts once calls are being answered.
            Await.until(Duration.ofSeconds(30), "a first call answered", () -> samples.stream().anyMatch(s -> s.status() == 200));
            Thread.sleep(500);
            long stopping = System.nanoTime();
            postgres.close();
            long stopped = System.nanoTime();
            Thread.sleep(3000);
            long restarting = System.nanoTime();
            postgres = start(data, port);
            long restarted = System.nanoTime();
            Thread.sleep(7000);
            load.interrupt();
            load.join();

            // A call still running when the database stops may fail; every call answered before that succeeded.
            assertThat(samples.stream().filter(s -> s.doneNanos() < stopping)).isNotEmpty().allMatch(s -> s.status() == 200);
            assertThat(samples.stream().filter(s -> s.atNanos() > stopped && s.doneNanos() < restarting))
                    .isNotEmpty().allMatch(s -> s.status() == 503);
            long firstOk = samples.stream().filter(s -> s.atNanos() > restarted && s.status() == 200)
                    .mapToLong(Sample::atNanos).min().orElseThrow();
            assertThat((firstOk - restarted) / 1e9).as("seconds to recover").isLessThan(5.0);
            assertThat(samples.stream().filter(s -> s.atNanos() > firstOk)).as("no errors after recovery")
                    .isNotEmpty().allMatch(s -> s.status() == 200);
        } finally {
            postgres.close();
        }
    }

    private static EmbeddedPostgres start(Path data, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
