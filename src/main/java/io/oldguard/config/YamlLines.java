package io.oldguard.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each key of a YAML file is written, so a problem found after parsing (a loosening rule, an unknown tool)
 * can still name its line. Keys are dotted paths with list indexes, as problems write them:
 * {@code tools.GetStock.params.ItemID.minimum}, {@code agents.support-bot.tools[1]}.
 */
public final class YamlLines {

    public static final YamlLines NONE = new YamlLines(Map.of());
    private static final YAMLFactory YAML = new YAMLFactory();

    private final Map<String, Integer> lines;

    private YamlLines(Map<String, Integer> lines) {
        this.lines = Map.copyOf(lines);
    }

    /** The index of a file; {@link #NONE} when it cannot be read or parsed (that problem is reported elsewhere). */
    public static YamlLines of(Path file) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(Files.readAllBytes(file))) {
            if (parser.nextToken() != null) {
                walk(parser, "", lines);
            }
        } catch (IOException e) {
            // Keep what was indexed before the error: lines of the keys above it are still right.
        }
        return new YamlLines(lines);
    }

    /**
     * The line of {@code key}, or of its nearest parent that is written (a missing {@code cost} is reported at
     * its tool); 0 when not even the top-level key is in the file.
     */
    public int lineOf(String key) {
        String k = normalize(key);
        while (!k.isEmpty()) {
            Integer line = lines.get(k);
            if (line != null) {
                return line;
            }
            k = k.substring(0, Math.max(0, Math.max(k.lastIndexOf('.'), k.lastIndexOf('['))));
        }
        return 0;
    }

    /** Bean Validation writes map entries as {@code tools[GetStock]} and key constraints as {@code agents<K>[x]}. */
    static String normalize(String key) {
        return key.replaceAll("<[^>]*>", "").replaceAll("\\[([^\\]0-9][^\\]]*)\\]", ".$1").replace("..", ".");
    }

    private static void walk(JsonParser p, String path, Map<String, Integer> lines) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
                lines.putIfAbsent(key, p.currentTokenLocation().getLineNr());
                p.nextToken();
                walk(p, key, lines);
            }
        } else if (token == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String key = path + "[" + i++ + "]";
                lines.putIfAbsent(key, p.currentTokenLocation().getLineNr());
                walk(p, key, lines);
            }
        }
    }
}
