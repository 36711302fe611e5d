package io.oldguard.passthrough;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.Setup;
import io.oldguard.catalog.SoapOperation;
import io.oldguard.catalog.Tool;
import io.oldguard.http.BoundedJson;
import io.oldguard.validation.ArgumentValidator;
import io.oldguard.validation.ToolContract;
import io.oldguard.validation.Violation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.namespace.QName;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The validation step of one GetStock call, as the sidecar runs it on the shipped sidecar.yaml and policies/:
 * the request decoded into arguments (JSON body with the agent port's limits, or SOAP envelope with the
 * passthrough's hardened reader) and checked against the tool's contract (WSDL types and policy rules).
 * Run by bench/jmh.sh; in this package for the passthrough's package-private reader.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class ValidationBench {

    private static final byte[] JSON = "{\"ItemID\": 42}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ENVELOPE = ("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
            + "<m:GetStockRequest xmlns:m=\"http://legacy.example.com/inventory/2008\"><m:ItemID>42</m:ItemID>"
            + "</m:GetStockRequest></soap:Body></soap:Envelope>").getBytes(StandardCharsets.UTF_8);

    private BoundedJson json;
    private EnvelopeReader envelopes;
    private Map<QName, Tool> operations;
    private ToolContract contract;

    @org.openjdk.jmh.annotations.Setup
    public void load() {
        Setup setup = Setup.load(Path.of("sidecar.yaml"));
        json = new BoundedJson(setup.config().requests().maxJsonDepth(), setup.config().requests().maxBodyBytes());
        envelopes = new EnvelopeReader(setup.config().requests().xml());
        operations = new HashMap<>();
        for (Tool tool : setup.policies().catalog().all()) {
            if (tool.binding() instanceof SoapOperation soap) {
                operations.put(soap.requestElement(), tool);
            }
        }
        contract = setup.policies().contract("GetStock");
    }

    /** POST /v1/tools/GetStock {"ItemID": 42}: parse under the depth and size limits, then validate. */
    @Benchmark
    public List<Violation> jsonGetStock() {
        ObjectNode arguments = json.parse(JSON).arguments();
        return ArgumentValidator.validate(contract, arguments);
    }

    /** The same call as a SOAP envelope on the passthrough: read under the XML limits, then validate. */
    @Benchmark
    public List<Violation> soapGetStock() throws EnvelopeReader.Refused {
        EnvelopeReader.Decoded decoded = envelopes.read(ENVELOPE, StandardCharsets.UTF_8, operations);
        return ArgumentValidator.validate(contract, decoded.arguments());
    }
}
