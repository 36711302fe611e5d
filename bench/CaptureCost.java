import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.call.CallRecorder;
import io.oldguard.call.Caller;
import io.oldguard.call.ToolCall;
import io.oldguard.capture.CallCapture;
import io.oldguard.catalog.Tool;
import io.oldguard.config.CaptureConfig;
import io.oldguard.policy.PolicySet;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * What traffic capture costs in CPU per call at a fixed rate (default 1,000 calls/s): the real {@link CallCapture}
 * (bounded queue, writer thread, HMAC of sensitive values, file writes and rotation) fed GetStock calls the way
 * ToolCallHandler's audit step feeds it. CPU is read per thread (the calling thread around record(), against the
 * same reads around nothing in a run without capture, and the writer thread), which other processes on a shared machine do not inflate the way they inflate wall time; the
 * whole process's CPU over a run without capture is printed too (it adds GC and JIT, and is noisier). Run by
 * bench/capture.sh.
 *
 *   java -cp CLASSPATH bench/CaptureCost.java [rate] [seconds] [warmupSeconds] [outputFile]
 */
public final class CaptureCost {

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path file = Path.of(args.length > 3 ? args[3] : "bench/results/capture/calls.jsonl");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);

        PolicySet policies = Setup.load(Path.of("sidecar.yaml")).policies();
        Tool getStock = policies.catalog().find("GetStock").orElseThrow();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        CaptureConfig config = new CaptureConfig(file.toString(), 64L * 1024 * 1024, 2, 10_000, "KEY", null);

        // Baseline: the same paced loop, building the same calls, without capture.
        run(getStock, rate, warmup, null);
        long processBefore = os.getProcessCpuTime();
        long baselineLoop = run(getStock, rate, seconds, null);
        long baselineProcess = os.getProcessCpuTime() - processBefore;

        try (CallCapture capture = CallCapture.start(config, file, "bench-key".getBytes(StandardCharsets.UTF_8),
                () -> policies, Clock.systemUTC(), metrics)) {
            Thread writer = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("oldguard-capture")).findFirst().orElseThrow();
            run(getStock, rate, warmup, capture);
            long writerBefore = threads.getThreadCpuTime(writer.threadId());
            processBefore = os.getProcessCpuTime();
            long captureLoop = run(getStock, rate, seconds, capture);
            long captureProcess = os.getProcessCpuTime() - processBefore;
            Thread.sleep(500);
            long writerCpu = threads.getThreadCpuTime(writer.threadId()) - writerBefore;
            long calls = (long) rate * seconds;
            long callerCpu = captureLoop - baselineLoop;
            System.out.printf(Locale.ROOT, "RESULT capture rate=%d/s calls=%d callerUs=%.2f writerUs=%.2f captureUs=%.2f "
                    + "processOverBaselineUs=%.2f written=%.0f dropped=%.0f%n", rate, calls, callerCpu / 1e3 / calls,
                    writerCpu / 1e3 / calls, (callerCpu + writerCpu) / 1e3 / calls,
                    (captureProcess - baselineProcess) / 1e3 / calls,
                    metrics.find("oldguard.capture.lines").counter().count(),
                    metrics.find("oldguard.capture.dropped").counters().stream().mapToDouble(c -> c.count()).sum());
        }
    }

    /**
     * Offers {@code rate} calls a second, open loop; returns the calling thread's CPU measured around record() (around
     * nothing without capture: the difference between the two runs is what record() costs, the clock reads cancel).
     */
    private static long run(Tool tool, int rate, int seconds, CallRecorder capture) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long calls = (long) rate * seconds;
        long cpu = 0;
        for (long i = 0; i < calls; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Instant now = Instant.now();
            ToolCall call = new ToolCall("bench-" + i, new Caller.Agent("support-bot"), tool,
                    JsonNodeFactory.instance.objectNode().put("ItemID", 1 + (i % 500)), now, now.plusSeconds(2));
            long before = threads.getCurrentThreadCpuTime();
            if (capture != null) {
                capture.record(call, CallRecorder.JSON, "ok", "backend");
            }
            cpu += threads.getCurrentThreadCpuTime() - before;
        }
        return cpu;
    }
}
