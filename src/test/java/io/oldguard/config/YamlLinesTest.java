package io.oldguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlLinesTest {

    @TempDir
    Path dir;

    @Test
    void findsKeysListEntriesAndTheNearestWrittenParent() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, """
                # a comment
                tools:
                  GetStock:
                    params:
                      ItemID: { minimum: 1 }
                agents:
                  support-bot:
                    tools:
                      - GetStock
                      - ListItems
                """);
        YamlLines lines = YamlLines.of(file);

        assertThat(lines.lineOf("tools.GetStock.params.ItemID.minimum")).isEqualTo(5);
        assertThat(lines.lineOf("agents.support-bot.tools[1]")).isEqualTo(10);
        assertThat(lines.lineOf("tools.GetStock.cost")).as("not written: its tool").isEqualTo(3);
        assertThat(lines.lineOf("tools[GetStock].params[ItemID].minimum")).as("a Bean Validation path").isEqualTo(5);
        assertThat(lines.lineOf("sqlTools.x")).isZero();
    }

    @Test
    void keepsTheLinesAboveASyntaxError() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "tools:\n  GetStock:\n    timeout: 2s\nagents: [\n");

        assertThat(YamlLines.of(file).lineOf("tools.GetStock.timeout")).isEqualTo(3);
    }
}
