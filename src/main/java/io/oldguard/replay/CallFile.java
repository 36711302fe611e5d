package io.oldguard.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.config.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a capture file (JSON lines, as {@code capture:} writes them, or written by hand): every line must be one
 * object with {@code at}, {@code tool} and {@code arguments}; {@code agent} null or absent is a caller without a
 * known token. Blank lines are skipped. Every bad line is reported with its number, none is skipped silently.
 */
public final class CallFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CallFile() {
    }

    public static List<RecordedCall> read(Path file) {
        List<RecordedCall> calls = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    calls.add(parse(line, JSON.readTree(text)));
                } catch (JsonProcessingException e) {
                    problems.add(ConfigException.problem(file.toString(), line, "", "not a JSON object ("
                            + e.getOriginalMessage() + ")"));
                } catch (IllegalArgumentException e) {
                    problems.add(ConfigException.problem(file.toString(), line, "", e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw ConfigException.of(file.toString(), "", "cannot be read (" + e.getMessage() + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return calls;
    }

    private static RecordedCall parse(int line, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected one JSON object per line");
        }
        JsonNode arguments = node.path("arguments");
        if (!arguments.isObject()) {
            throw new IllegalArgumentException("arguments: expected an object");
        }
        Instant at;
        try {
            at = Instant.parse(text(node, "at", true));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("at: expected an instant such as 2026-12-03T07:43:41.770Z");
        }
        return new RecordedCall(line, at, text(node, "agent", false), text(node, "tool", true), (ObjectNode) arguments,
                text(node, "transport", false), text(node, "requestId", false), text(node, "outcome", false),
                text(node, "decidedBy", false));
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + ": missing");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + ": expected a string");
        }
        return value.textValue();
    }
}
