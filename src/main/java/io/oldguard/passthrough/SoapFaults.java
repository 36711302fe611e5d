package io.oldguard.passthrough;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.http.HttpResponses;
import io.oldguard.soap.XmlText;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a {@link Refusal} as a SOAP 1.1 fault, the way the passthrough answers everything oldguard refuses.
 * The fault code is {@code Client} when the request is at fault (4xx), {@code Server} when the service or
 * oldguard cannot take it now (5xx), {@code VersionMismatch} for a SOAP 1.2 envelope. The fault string is the
 * problem's detail; {@code detail} holds the whole problem document (type, status, violations, retryAfter, ...)
 * as XML, member for member. The HTTP status and headers ({@code Retry-After}, ...) are the JSON API's, so a 429
 * or a 503 means to proxies and retry libraries what it means everywhere else.
 */
public final class SoapFaults {

    /** Namespace of the problem document inside a fault's {@code detail}. */
    public static final String PROBLEM_NS = "https://oldguard.dev/problems/";
    static final String CONTENT_TYPE = "text/xml; charset=utf-8";

    private SoapFaults() {
    }

    public static FullHttpResponse fault(Refusal refusal, String requestId) {
        StringBuilder xml = new StringBuilder(512);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .append("<soap:Envelope xmlns:soap=\"").append(EnvelopeReader.SOAP11).append("\"><soap:Body><soap:Fault>")
                .append("<faultcode>soap:").append(code(refusal)).append("</faultcode><faultstring>");
        XmlText.escape(refusal.detail(), xml);
        xml.append("</faultstring><detail><og:problem xmlns:og=\"").append(PROBLEM_NS).append("\">");
        members(HttpResponses.problemBody(refusal, requestId), xml);
        xml.append("</og:problem></detail></soap:Fault></soap:Body></soap:Envelope>");
        // A fault never goes out with a success status (a held call's 202): a SOAP client would take it for a result.
        int status = refusal.status() < 400 ? 500 : refusal.status();
        FullHttpResponse response = HttpResponses.bytes(HttpResponseStatus.valueOf(status), CONTENT_TYPE,
                xml.toString().getBytes(StandardCharsets.UTF_8), requestId);
        if (refusal.retryAfter() != null) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, HttpResponses.retryAfterSeconds(refusal));
        }
        refusal.headers().forEach((k, v) -> response.headers().set(k, v));
        return response;
    }

    private static String code(Refusal refusal) {
        if (Refusals.SOAP_VERSION_MISMATCH.equals(refusal.outcome())) {
            return "VersionMismatch";
        }
        return refusal.status() >= 500 ? "Server" : "Client";
    }

    /** JSON members as elements; an array's items are named by the singular of its member ("violations"). */
    private static void members(ObjectNode object, StringBuilder xml) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            element(member.getKey(), member.getValue(), xml);
        }
    }

    private static void element(String name, JsonNode value, StringBuilder xml) {
        if (value.isNull()) {
            return;
        }
        xml.append("<og:").append(name).append('>');
        if (value.isObject()) {
            members((ObjectNode) value, xml);
        } else if (value.isArray()) {
            String item = name.endsWith("s") && name.length() > 1 ? name.substring(0, name.length() - 1) : "item";
            value.forEach(v -> element(item, v, xml));
        } else {
            XmlText.escape(value.asText(), xml);
        }
        xml.append("</og:").append(name).append('>');
    }
}
