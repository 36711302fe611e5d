package io.oldguard.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import java.io.IOException;

/**
 * Parses a request body into a JSON object with bounded cost: nesting depth, string and number lengths are
 * capped by the parser itself (the body size is already capped by the HTTP aggregator), and duplicate keys are
 * refused so no two readers can disagree on what an argument was.
 */
final class BoundedJson {

    /** Either the arguments or why there are none. */
    record Parsed(ObjectNode arguments, Refusal refusal) {
    }

    private final ObjectMapper mapper;
    private final int maxDepth;

    BoundedJson(int maxDepth, int maxBodyBytes) {
        this.maxDepth = maxDepth;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxBodyBytes)
                        // Long digit strings cost quadratic time to convert; no legacy parameter needs more.
                        .maxNumberLength(100)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = new ObjectMapper(factory);
    }

    Parsed parse(byte[] body) {
        if (body.length == 0) {
            return new Parsed(null, Refusals.malformedJson("the body is empty"));
        }
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            return new Parsed(null, e.getMessage() != null && e.getMessage().contains("nesting depth")
                    ? Refusals.jsonTooDeep(maxDepth) : Refusals.malformedJson(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            return new Parsed(null, Refusals.malformedJson(e.getOriginalMessage()));
        } catch (IOException e) {
            return new Parsed(null, Refusals.malformedJson(e.getMessage()));
        }
        if (node == null || node.isMissingNode()) {
            return new Parsed(null, Refusals.malformedJson("the body is empty"));
        }
        if (!(node instanceof ObjectNode object)) {
            return new Parsed(null, Refusals.notAnObject(node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return new Parsed(object, null);
    }
}
