package io.oldguard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.cli.Options;
import io.oldguard.simulator.LegacyInventorySimulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oldguard demo --exit} with its storm: the containment table's figures are the legacy services' own counters,
 * and no invalid call reaches the service through oldguard.
 */
class DemoStormIT {

    @TempDir
    Path dir;

    @Test
    void theContainmentTableIsWhatTheServicesCounted() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<LegacyInventorySimulator> services = new ArrayList<>();
        Options options = new Options(Map.of("agent-port", List.of(freePort()), "admin-port", List.of(freePort()),
                "simulator-port", List.of(freePort())), Set.of("exit"));

        int code = DemoCommand.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8), services::add);

        String said = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said).isZero();
        assertThat(services).as("the protected service, then the unprotected copy").hasSize(2);
        LegacyInventorySimulator protectedService = services.get(0);
        LegacyInventorySimulator unprotected = services.get(1);

        String[] received = row(said, ContainmentTable.RECEIVED);
        assertThat(number(received[0])).isEqualTo(protectedService.requestsReceived()).isPositive();
        assertThat(number(received[1])).isEqualTo(unprotected.requestsReceived());

        String[] invalid = row(said, ContainmentTable.INVALID);
        assertThat(number(invalid[0])).isZero().isEqualTo(protectedService.faultsAnswered());
        assertThat(number(invalid[1])).isEqualTo(unprotected.faultsAnswered()).isPositive();

        String[] beforeHalt = row(said, ContainmentTable.BEFORE_HALT);
        // Each storm thread sends its next call only once the last is answered, and the first invalid call halts the
        // agent before it is answered: at most one call per thread comes before the halt.
        assertThat(number(beforeHalt[0])).isBetween(1L, (long) Load.STORM_THREADS);
        Matcher never = Pattern.compile("never halted: ([\\d,]+) calls").matcher(beforeHalt[1]);
        assertThat(never.matches()).as(beforeHalt[1]).isTrue();
        assertThat(number(never.group(1))).isGreaterThanOrEqualTo(unprotected.faultsAnswered());

        String[] rate = row(said, ContainmentTable.PEAK_RATE);
        long withRate = number(rate[0].replace("/s", ""));
        long withoutRate = number(rate[1].replace("/s", ""));
        assertThat(withRate).isPositive().isLessThanOrEqualTo(protectedService.requestsReceived())
                .as("sidecar.yaml shapes the service to 50/s burst 10").isLessThanOrEqualTo(60);
        assertThat(withoutRate).isLessThanOrEqualTo(unprotected.requestsReceived()).isGreaterThan(withRate);

        String[] connections = row(said, ContainmentTable.PEAK_CONNECTIONS);
        // The demo's service pool holds at most 10 connections; each arm used at least one.
        assertThat(number(connections[0])).isBetween(1L, 10L);
        assertThat(number(connections[1])).isBetween(1L, 10L);

        String[] others = row(said, ContainmentTable.OTHERS);
        for (String column : others) {
            Matcher rateOf = Pattern.compile("(\\d+) % \\(([\\d,]+) of ([\\d,]+)\\)").matcher(column);
            assertThat(rateOf.matches()).as(column).isTrue();
            long ok = number(rateOf.group(2));
            long sent = number(rateOf.group(3));
            assertThat(sent).isPositive().isGreaterThanOrEqualTo(ok);
            assertThat(Long.parseLong(rateOf.group(1))).isEqualTo(100 * ok / sent);
        }
        // The storm does not keep the other agents from their work through oldguard (bound generous for a busy host).
        assertThat(number(others[0].replaceAll(" %.*", ""))).isGreaterThanOrEqualTo(50);

        assertThat(said).contains("THE INCIDENT", "The night of the incident", "The same storm without oldguard");
        assertThat(said.lines().filter(line -> line.matches(" +\\d+ s  sent .*"))).hasSizeGreaterThanOrEqualTo(
                (int) (StormScene.WITH.toSeconds() + StormScene.WITHOUT.toSeconds()) - 2);
    }

    @Test
    void theDemoTellsItInTextLinesAndEndsByItself() throws Exception {
        Path out = dir.resolve("demo.out");
        ProcessBuilder builder = new ProcessBuilder(Path.of("bin/oldguard").toAbsolutePath().toString(), "demo", "--exit",
                "--agent-port", freePort(), "--admin-port", freePort(), "--simulator-port", freePort())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().remove("OLDGUARD_LOG_FORMAT");
        Process demo = builder.start();
        try {
            assertThat(demo.waitFor(180, TimeUnit.SECONDS)).as("the demo ends by itself").isTrue();
            String said = Files.readString(out);
            assertThat(demo.exitValue()).as(said).isZero();
            // oldguard's own lines are text, not JSON, and the halt stands out.
            assertThat(said.lines().filter(line -> line.startsWith("{"))).isEmpty();
            assertThat(said).containsPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} CRITICAL !!! agent promo-bot halted");
            assertThat(said).containsPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  support-bot GetStock -> ok \\(200, \\d+ ms\\)");
            assertThat(said).contains(ContainmentTable.INVALID, "oldguard stopped");
            // Not a terminal: the live line is a line per second, never rewritten in place.
            assertThat(said).doesNotContain("\r");
            assertThat(story(said)).as("the README's transcript, numbers, times and ids aside")
                    .containsExactlyElementsOf(story(readmeTranscript()));
        } finally {
            demo.descendants().forEach(ProcessHandle::destroy);
            demo.destroyForcibly();
        }
    }

    /** The transcript in README.md, between its markers. */
    private static String readmeTranscript() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int begin = readme.indexOf("<!-- demo transcript: begin -->");
        int end = readme.indexOf("<!-- demo transcript: end -->");
        assertThat(begin).as("README.md has the demo's transcript").isPositive().isLessThan(end);
        String block = readme.substring(begin, end);
        return block.substring(block.indexOf("```\n") + 4, block.lastIndexOf("```"));
    }

    /**
     * The demo's own lines in their order, each reduced to its shape: oldguard's log lines and the live line (whose
     * count depends on timing) left out, numbers, times and ids made {@code #}, runs of spaces made one.
     */
    private static List<String> story(String said) {
        return said.lines()
                .filter(line -> !line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*") && !line.matches(" +\\d+ s  sent .*"))
                .map(line -> line.replaceAll("ap-[0-9a-f]+", "ap-#").replaceAll("\\d[\\d,.:TZ-]*", "#")
                        .replaceAll(" +", " ").strip())
                .toList();
    }

    /** The two figures of the table's row, with oldguard and without. */
    private static String[] row(String said, String label) {
        String line = said.lines().filter(l -> l.startsWith("  " + label)).findFirst()
                .orElseThrow(() -> new AssertionError("no row \"" + label + "\" in:\n" + said));
        String[] columns = line.substring(2 + label.length()).trim().split(" {2,}");
        assertThat(columns).as(line).hasSize(2);
        return Arrays.stream(columns).map(String::trim).toArray(String[]::new);
    }

    private static long number(String figure) {
        return Long.parseLong(figure.replace(",", "").trim());
    }

    private static String freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return String.valueOf(socket.getLocalPort());
        }
    }
}
