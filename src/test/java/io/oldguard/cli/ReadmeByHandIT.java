package io.oldguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.oldguard.config.BrokenCopies;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs README.md's by-hand sequence as a newcomer would: the shell block of "Trying it by hand" ({@code bin/oldguard
 * simulator}, the tokens, {@code bin/oldguard run}, waiting for {@code /readyz}), then the first shell example of
 * the JSON, SQL, MCP and SOAP sections, in one bash, exactly as written except for the ports: free ones instead of
 * 8088, 5432, 8080 and 9901 (given to the simulator as options and to {@code run} through a copy of the shipped
 * setup whose only change is those ports). Then it stops both as the README says and checks they stopped cleanly.
 */
class ReadmeByHandIT {

    private static final String MARK = "=== README block: ";

    @TempDir
    Path dir;

    @Test
    void theReadmesByHandSequenceWorksAsWrittenOnOtherPorts() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Map<String, String> blocks = new LinkedHashMap<>();
        blocks.put("start", firstShellBlock(readme, "## Trying it by hand"));
        blocks.put("json", firstShellBlock(readme, "## Calling tools"));
        blocks.put("sql", firstShellBlock(readme, "## SQL tools"));
        blocks.put("mcp", firstShellBlock(readme, "## Connecting an MCP agent"));
        blocks.put("soap", firstShellBlock(readme, "## SOAP clients"));
        Ports ports = new Ports(freePort(), freePort(), freePort(), freePort());
        Path config = BrokenCopies.copyOfShippedSetup(Files.createDirectories(dir.resolve("setup")));
        BrokenCopies.replace(config, "port: 8080", "port: " + ports.agent());
        BrokenCopies.replace(config, "port: 9901", "port: " + ports.admin());
        BrokenCopies.replace(config, "127.0.0.1:8088/", "127.0.0.1:" + ports.simulator() + "/");
        BrokenCopies.replace(config, "127.0.0.1:5432/", "127.0.0.1:" + ports.database() + "/");

        StringBuilder script = new StringBuilder("cd '" + dir + "'\n");
        blocks.forEach((name, block) -> script.append("echo '").append(MARK).append(name).append("'\n")
                .append(onPorts(block, ports, config)).append('\n'));
        script.append("echo '").append(MARK).append("stop'\nkill $(jobs -p)\nwait\necho stopped\n");
        Files.writeString(dir.resolve("by-hand.sh"), script);

        String output = runBash(dir.resolve("by-hand.sh"), dir.resolve("by-hand.out"));
        Map<String, String> said = split(output);

        assertThat(said.get("start")).as(output).contains("\"status\":\"READY\"");
        assertThat(said.get("json")).as(output).contains("\"tool\":\"GetStock\"").contains("\"OnHand\"");
        assertThat(said.get("sql")).as(output).contains("\"tool\":\"low_stock\"").contains("\"rows\":[{\"item_id\"");
        assertThat(said.get("mcp")).as(output)
                .contains("202")
                .contains("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"GetStock\"")
                .contains("\"structuredContent\":{\"Stock\":{\"ItemID\":42")
                .contains("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{}}")
                .contains("204");
        assertThat(said.get("soap")).as(output).contains("GetStockResponse").contains(">42<");
        assertThat(said.get("stop")).as(output).contains("stopped");
        assertThat(Files.readString(dir.resolve("oldguard.log"))).contains("\"event\":\"sidecar.stopped\"");
        assertThat(listening(ports.database())).as("the simulator's PostgreSQL stopped with it").isFalse();
    }

    private record Ports(int simulator, int database, int agent, int admin) {
    }

    /** The README's commands with the ports moved and {@code bin/oldguard} given as a path; nothing else changes. */
    private static String onPorts(String block, Ports ports, Path config) {
        String oldguard = Path.of("bin/oldguard").toAbsolutePath().toString();
        return block
                .replace("bin/oldguard simulator", oldguard + " simulator --port " + ports.simulator() + " --db-port " + ports.database())
                .replace("bin/oldguard run", oldguard + " run --config " + config)
                .replace("127.0.0.1:8088", "127.0.0.1:" + ports.simulator())
                .replace("127.0.0.1:8080", "127.0.0.1:" + ports.agent())
                .replace("127.0.0.1:9901", "127.0.0.1:" + ports.admin());
    }

    /** The first {@code ```sh} block of the section whose heading starts with {@code heading}. */
    private static String firstShellBlock(String readme, String heading) {
        int section = readme.indexOf("\n" + heading);
        assertThat(section).as("README section " + heading).isNotNegative();
        int nextSection = readme.indexOf("\n## ", section + 1);
        int start = readme.indexOf("\n```sh\n", section);
        assertThat(start).as("a shell example in " + heading).isBetween(0, nextSection < 0 ? readme.length() : nextSection);
        int end = readme.indexOf("\n```\n", start + 1);
        return readme.substring(start + "\n```sh\n".length(), end + 1);
    }

    /**
     * Runs the script with a generous bound. Whatever it started (the two JVMs) is stopped if it does not finish,
     * so a failing run leaves nothing behind.
     */
    private static String runBash(Path script, Path out) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            boolean finished = bash.waitFor(6, TimeUnit.MINUTES);
            assertThat(finished).as("the by-hand sequence finished; it said:\n" + Files.readString(out)).isTrue();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            List<ProcessHandle> started = bash.descendants().toList();
            bash.destroyForcibly();
            started.forEach(ProcessHandle::destroy);
        }
    }

    private static Map<String, String> split(String output) {
        Map<String, String> said = new LinkedHashMap<>();
        String[] parts = output.split(MARK);
        for (int i = 1; i < parts.length; i++) {
            int eol = parts[i].indexOf('\n');
            said.put(parts[i].substring(0, eol), parts[i].substring(eol + 1));
        }
        return said;
    }

    private static boolean listening(int port) {
        for (int i = 0; i < 50; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            } catch (IOException e) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return true;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
