package io.oldguard.capture;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.call.CallRecorder;
import io.oldguard.call.ToolCall;
import io.oldguard.config.CaptureConfig;
import io.oldguard.metrics.MetricNames;
import io.oldguard.policy.PolicySet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic capture: appends every decoded call to a JSON-lines file for {@code oldguard check --replay}. The call's
 * thread only offers a reference to a bounded queue and returns; one writer thread of its own serialises, hashes
 * sensitive values ({@link CaptureLine}), writes in batches and rotates the file by size. Writing never slows or
 * fails a call: a full queue, a full disk or an unwritable file costs lines, each counted in
 * {@value MetricNames#CAPTURE_DROPPED}, never calls. After a write failure the file is tried again at most once a
 * second, so a full disk is not hammered.
 */
public final class CallCapture implements CallRecorder, AutoCloseable {

    /** How a hashed sensitive value starts in the file; the replay recognises it by this. */
    public static final String HASH_PREFIX = "hmac-sha256:";

    private static final Logger LOG = LoggerFactory.getLogger(CallCapture.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    // Lines written in one system call at most; lines of a failed write are counted lost.
    private static final int BATCH = 256;
    // After a batch that was not full the writer rests this long, so lines are written tens at a time rather than
    // one write (and one wake-up) per call: at 1,000 calls/s that is most of capture's CPU. Lines wait at most this.
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** A call waiting to be written, with the policy set it ran under (which parameters are sensitive). */
    private record Pending(ToolCall call, PolicySet policies, String transport, String outcome, String decidedBy) {
    }

    private final Path file;
    private final long maxFileBytes;
    private final int maxFiles;
    private final Supplier<PolicySet> policies;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final CaptureLine lines;
    private final Counter written;
    private final Counter queueFull;
    private final Counter writeFailed;
    private final Thread writer;
    private volatile boolean closing;

    // Touched by the writer thread only.
    private OutputStream out;
    private long size;
    private Instant failedAt;

    private CallCapture(CaptureConfig config, Path file, byte[] key, Supplier<PolicySet> policies, Clock clock,
            MeterRegistry metrics) {
        this.file = file;
        this.maxFileBytes = config.maxFileBytes();
        this.maxFiles = config.maxFiles();
        this.policies = policies;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(config.queue());
        this.lines = new CaptureLine(key);
        this.written = Counter.builder(MetricNames.CAPTURE_LINES).description("Calls written to the capture file")
                .register(metrics);
        this.queueFull = dropped(metrics, "queue_full");
        this.writeFailed = dropped(metrics, "write_failed");
        this.writer = Thread.ofPlatform().daemon().name("oldguard-capture").unstarted(this::writeLoop);
    }

    /**
     * Starts the writer thread. The file is opened on the first line, so an unwritable path is reported (and
     * counted) then, and never stops the sidecar from serving.
     *
     * @param file     {@code capture.file}, resolved
     * @param key      the key sensitive parameters are hashed with
     * @param policies the policy set in force (pinned to the call while it is recorded)
     */
    public static CallCapture start(CaptureConfig config, Path file, byte[] key, Supplier<PolicySet> policies,
            Clock clock, MeterRegistry metrics) {
        CallCapture capture = new CallCapture(config, file, key, policies, clock, metrics);
        capture.writer.start();
        return capture;
    }

    private static Counter dropped(MeterRegistry metrics, String reason) {
        return Counter.builder(MetricNames.CAPTURE_DROPPED).description("Calls not written to the capture file, by reason")
                .tag(MetricNames.TAG_REASON, reason).register(metrics);
    }

    @Override
    public void record(ToolCall call, String transport, String outcome, String decidedBy) {
        if (closing || !queue.offer(new Pending(call, policies.get(), transport, outcome, decidedBy))) {
            queueFull.increment();
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                // Nobody else interrupts this thread; close() ends it by flag, after the queue is written.
                continue;
            }
            queue.drainTo(batch, BATCH - 1);
            write(batch);
            boolean full = batch.size() == BATCH;
            batch.clear();
            if (!full && !closing) {
                LockSupport.parkNanos(LINGER_NANOS);
            }
        }
        closeFile();
    }

    private void write(List<Pending> batch) {
        if (!ready()) {
            writeFailed.increment(batch.size());
            return;
        }
        int done = 0;
        try {
            // Lines go out in chunks that fit the file; a chunk that would cross maxFileBytes starts a new file.
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(8192);
            int inChunk = 0;
            for (Pending p : batch) {
                byte[] line = lines.of(p.call(), p.policies(), p.transport(), p.outcome(), p.decidedBy());
                if (size + chunk.size() + line.length > maxFileBytes && size + chunk.size() > 0) {
                    flush(chunk, inChunk);
                    done += inChunk;
                    inChunk = 0;
                    rotate();
                }
                chunk.write(line);
                inChunk++;
            }
            flush(chunk, inChunk);
            done += inChunk;
            if (failedAt != null) {
                failedAt = null;
                LOG.warn("capture file {} written again", file, kv("event", Events.CAPTURE_RECOVERED), kv("file", file.toString()));
            }
        } catch (IOException e) {
            failed(e);
            writeFailed.increment(batch.size() - done);
        }
    }

    private void flush(ByteArrayOutputStream chunk, int count) throws IOException {
        if (count == 0) {
            return;
        }
        chunk.writeTo(out);
        size += chunk.size();
        chunk.reset();
        written.increment(count);
    }

    /** The file is open, or was opened now; false while a failure is younger than {@link #RETRY}. */
    private boolean ready() {
        if (out != null) {
            return true;
        }
        if (failedAt != null && clock.instant().isBefore(failedAt.plus(RETRY))) {
            return false;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            size = Files.isRegularFile(file) ? Files.size(file) : 0;
            return true;
        } catch (IOException | RuntimeException e) {
            failed(e);
            return false;
        }
    }

    /** {@code file} becomes {@code file.1}, {@code file.1} becomes {@code file.2}, …; the oldest is deleted. */
    private void rotate() throws IOException {
        closeFile();
        Files.deleteIfExists(rotated(maxFiles));
        for (int i = maxFiles - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (maxFiles > 0) {
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(file);
        }
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = 0;
    }

    private Path rotated(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    private void failed(Exception e) {
        closeFile();
        if (failedAt == null) {
            LOG.error("capture file {} cannot be written: {}; calls go on, their lines are dropped and counted", file,
                    e.toString(), kv("event", Events.CAPTURE_FAILED), kv("file", file.toString()));
        }
        failedAt = clock.instant();
    }

    private void closeFile() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("capture file {} did not close cleanly: {}", file, e.toString(), kv("event", Events.CAPTURE_FAILED));
        }
        out = null;
    }

    /** Writes what is queued, then stops the writer (waiting at most 5 s). */
    @Override
    public void close() {
        // Not interrupted: an interrupt would abort a write in progress and lose its batch.
        closing = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
