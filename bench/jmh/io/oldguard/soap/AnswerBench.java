package io.oldguard.soap;

import io.oldguard.Setup;
import io.oldguard.catalog.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * Reading one GetStock answer (the CXF service's, as bench/CxfStockAnswerer.java sends it): into typed JSON, as for
 * a JSON or MCP call, and only as far as telling a fault from the answer, as for the SOAP passthrough, which relays
 * the answer as it came. Run by bench/jmh.sh; in this package for the package-private reader.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class AnswerBench {

    private static final byte[] ANSWER = ("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
            + "<GetStockResponse xmlns=\"http://legacy.example.com/inventory/2008\"><Stock><ItemID>1</ItemID>"
            + "<Description>Yellow hose</Description><Category>HARDWARE</Category><OnHand>114</OnHand><Reserved>0</Reserved>"
            + "<Warehouse>WH-1</Warehouse></Stock></GetStockResponse></soap:Body></soap:Envelope>")
            .getBytes(StandardCharsets.UTF_8);

    private Tool getStock;

    @org.openjdk.jmh.annotations.Setup
    public void load() {
        getStock = Setup.load(Path.of("sidecar.yaml")).policies().catalog().find("GetStock").orElseThrow();
    }

    /** A JSON or MCP call: the answer becomes the typed result the agent gets. */
    @Benchmark
    public SoapResponses.Parsed typedAnswer() throws SoapResponses.UnreadableResponse {
        return SoapResponses.parse(getStock, ANSWER, true);
    }

    /** A passthrough call: a fault or the promised answer, which is relayed as it came. */
    @Benchmark
    public SoapResponses.Parsed relayedAnswer() throws SoapResponses.UnreadableResponse {
        return SoapResponses.parse(getStock, ANSWER, false);
    }
}
