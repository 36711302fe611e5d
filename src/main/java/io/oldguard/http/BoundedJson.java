package io.oldguard.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import java.io.IOException;
import java.util.Locale;

/**
 * Parses a request body (a JSON object for the JSON API, any JSON-RPC message for MCP) with bounded cost:
 * nesting depth, string and number lengths are capped by the parser itself (the body size is already capped by
 * the HTTP aggregator), and duplicate keys are refused so no two readers can disagree on what an argument was.
 * Anything after the one JSON value ({@code {"ItemID":42} xyz}, a second object) is refused too: Jackson stops
 * reading after the first value unless told otherwise, and a body is one value or it is malformed.
 */
public final class BoundedJson {

    /** Either the arguments or why there are none. */
    public record Parsed(ObjectNode arguments, Refusal refusal) {
    }

    /** Either any JSON value (for JSON-RPC, where a batch is an array) or why there is none. */
    public record Tree(JsonNode node, Refusal refusal) {
    }

    private final ObjectMapper mapper;
    private final int maxDepth;

    public BoundedJson(int maxDepth, int maxBodyBytes) {
        this.maxDepth = maxDepth;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxBodyBytes)
                        // Long digit strings cost quadratic time to convert; no legacy parameter needs more.
                        .maxNumberLength(100)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Shared, not per thread: each call parses on a new virtual thread (see HttpResponses.JSON).
                .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .build();
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public Parsed parse(byte[] body) {
        Tree tree = parseTree(body);
        if (tree.refusal() != null) {
            return new Parsed(null, tree.refusal());
        }
        if (!(tree.node() instanceof ObjectNode object)) {
            return new Parsed(null, Refusals.notAnObject(tree.node().getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return new Parsed(object, null);
    }

    public Tree parseTree(byte[] body) {
        if (body.length == 0) {
            return new Tree(null, Refusals.malformedJson("the body is empty"));
        }
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            return new Tree(null, e.getMessage() != null && e.getMessage().contains("nesting depth")
                    ? Refusals.jsonTooDeep(maxDepth) : Refusals.malformedJson(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            return new Tree(null, Refusals.malformedJson(e.getOriginalMessage()));
        } catch (IOException e) {
            return new Tree(null, Refusals.malformedJson(e.getMessage()));
        }
        if (node == null || node.isMissingNode()) {
            return new Tree(null, Refusals.malformedJson("the body is empty"));
        }
        return new Tree(node, null);
    }
}
