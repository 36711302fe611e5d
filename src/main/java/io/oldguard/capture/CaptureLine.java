package io.oldguard.capture;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.policy.PolicySet;
import io.oldguard.validation.ParamContract;
import io.oldguard.validation.ToolContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns one call into its line of the capture file. A parameter the policy in force marks {@code sensitive} is
 * written as {@value CallCapture#HASH_PREFIX} and the keyed hash (HMAC-SHA256) of its JSON text, never in clear: equal values
 * still show as equal, and without the key a short value cannot be found by trying candidates. Used by the writer
 * thread only (a {@link Mac} is not thread-safe).
 */
final class CaptureLine {

    private static final JsonFactory JSON = new ObjectMapper().getFactory();

    private final Mac mac;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);

    CaptureLine(byte[] key) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    /** The line, with its line break, as UTF-8 bytes. */
    byte[] of(ToolCall call, PolicySet policies, String transport, String outcome, String decidedBy) {
        buffer.reset();
        try (JsonGenerator out = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeStringField("at", call.receivedAt().toString());
            if (call.caller() instanceof Caller.Agent agent) {
                out.writeStringField("agent", agent.id());
            } else {
                out.writeNullField("agent");
            }
            out.writeStringField("tool", call.tool().name());
            out.writeFieldName("arguments");
            writeArguments(out, call, policies);
            out.writeStringField("transport", transport);
            out.writeStringField("requestId", call.requestId());
            out.writeStringField("outcome", outcome);
            out.writeStringField("decidedBy", decidedBy);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        buffer.write('\n');
        return buffer.toByteArray();
    }

    private void writeArguments(JsonGenerator out, ToolCall call, PolicySet policies) throws IOException {
        ToolContract contract = policies.contract(call.tool().name());
        out.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = call.arguments().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> arg = it.next();
            out.writeFieldName(arg.getKey());
            ParamContract param = contract == null ? null : contract.param(arg.getKey());
            if (param != null && param.sensitive()) {
                out.writeString(hash(arg.getValue()));
            } else {
                out.writeTree(arg.getValue());
            }
        }
        out.writeEndObject();
    }

    private String hash(JsonNode value) {
        byte[] digest = mac.doFinal(value.toString().getBytes(StandardCharsets.UTF_8));
        return CallCapture.HASH_PREFIX + HexFormat.of().formatHex(digest);
    }
}
