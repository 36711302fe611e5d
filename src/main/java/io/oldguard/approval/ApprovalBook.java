package io.oldguard.approval;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.oldguard.audit.Events;
import io.oldguard.config.ConfigException;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import io.oldguard.metrics.MetricNames;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval requests of this sidecar, one per agent, tool and canonical arguments ({@link ArgumentsHash}),
 * kept in memory and written through to a JSON file on every change (temp file + atomic rename, like the halts
 * file), so a restart keeps pending and approved requests. A file that exists but cannot be read stops the
 * sidecar from starting rather than drop approvals silently.
 *
 * <p>Life of a request: a held call makes it {@code pending}; an operator approves or denies it; an approval lets
 * exactly one identical call through and is then gone; a denial refuses identical calls until it ends. A request
 * or approval past its {@code expiresAt} turns {@code expired}: the next identical call is told so once, the one
 * after that asks again. Entries nobody asks about again are cleared {@link #RETAIN} after they end.
 */
public final class ApprovalBook {

    private static final Logger LOG = LoggerFactory.getLogger("oldguard.approvals");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);
    /** How long an ended (denied or expired) entry is kept to tell its agent why, when it never asks again. */
    static final Duration RETAIN = Duration.ofHours(1);

    private final Path file;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Consumer<Approval> onRequested;
    private final SecureRandom random = new SecureRandom();
    // By argumentsHash: at most one entry per agent, tool and arguments. Guarded by lock, as decisions must be
    // atomic with their write (a lock, not a monitor: file I/O must not pin a carrier thread).
    private final Map<String, Approval> byHash = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();

    /** What an operator's decision came to: the decided request, or why there is none. */
    public record Decision(Approval approval, Refusal refusal) {
    }

    private ApprovalBook(Path file, Clock clock, MeterRegistry metrics, Consumer<Approval> onRequested) {
        this.file = file;
        this.clock = clock;
        this.metrics = metrics;
        this.onRequested = onRequested;
    }

    /** @param onRequested told of each new request (the webhook); must not block */
    public static ApprovalBook open(Path file, Clock clock, MeterRegistry metrics, Consumer<Approval> onRequested) {
        ApprovalBook book = new ApprovalBook(file, clock, metrics, onRequested);
        if (Files.exists(file)) {
            try {
                List<Approval> stored = JSON.readValue(file.toFile(), new TypeReference<List<Approval>>() { });
                stored.forEach(a -> book.byHash.put(a.argumentsHash(), a));
                book.recount();
                if (!stored.isEmpty()) {
                    LOG.warn("{} approval request(s) restored from {}", stored.size(), file,
                            kv("event", Events.APPROVALS_RESTORED), kv("approvals", stored.stream().map(Approval::id).toList()));
                }
            } catch (IOException e) {
                throw ConfigException.of(file.toString(), "", "the approvals file cannot be read (" + e.getMessage()
                        + "); refusing to start rather than lose approvals — fix or remove it");
            }
        }
        Gauge.builder(MetricNames.APPROVALS_PENDING, book.pending, AtomicInteger::get)
                .description("Calls held for a human's approval, not yet decided").register(metrics);
        return book;
    }

    /**
     * Decides a call that needs approval: let through by its unused approval (which it uses up), or refused as
     * denied or expired, or held (a new request, or the one its identical calls already made).
     *
     * @param arguments what the operator sees: the call's arguments, sensitive ones redacted
     */
    Verdict admit(String agent, String tool, String hash, ObjectNode arguments, Duration ttl, String requestId,
            String policyVersion) {
        lock.lock();
        try {
            Instant now = clock.instant();
            boolean changed = sweep(now);
            Approval entry = byHash.get(hash);
            if (entry == null) {
                Approval request = Approval.requested(newId(), agent, tool, hash, arguments, now, ttl, requestId, policyVersion);
                byHash.put(hash, request);
                persist();
                count("requested");
                LOG.warn("call of {} by {} held for approval {}", tool, agent, request.id(),
                        kv("event", Events.APPROVAL_REQUESTED), kv("approvalId", request.id()), kv("agent", agent),
                        kv("tool", tool), kv("argumentsHash", hash), kv("expiresAt", request.expiresAt().toString()),
                        kv("policyVersion", policyVersion));
                onRequested.accept(request);
                return Refusals.approvalRequired(request);
            }
            return switch (entry.state()) {
                case PENDING -> {
                    persistIf(changed);
                    yield Refusals.approvalRequired(entry);
                }
                case DENIED -> {
                    persistIf(changed);
                    yield Refusals.approvalDenied(entry);
                }
                case EXPIRED -> {
                    // Told once; the next identical call asks again.
                    byHash.remove(hash);
                    persist();
                    yield Refusals.approvalExpired(entry);
                }
                case APPROVED -> {
                    byHash.remove(hash);
                    persist();
                    count("used");
                    Approval used = entry.usedBy(requestId);
                    LOG.warn("approval {} used by the call of {} by {}", used.id(), tool, agent,
                            kv("event", Events.APPROVAL_USED), kv("approvalId", used.id()), kv("agent", agent),
                            kv("tool", tool), kv("argumentsHash", hash), kv("approvedBy", used.decidedBy()),
                            kv("requestedBy", used.requestId()), kv("policyVersion", policyVersion));
                    yield Verdict.ALLOW;
                }
            };
        } finally {
            lock.unlock();
        }
    }

    /** Approves a pending request; its identical call may pass once within the ttl from now. */
    public Decision approve(String id, String by) {
        return decide(id, Approval.State.APPROVED, by, null);
    }

    /** Denies a pending request, or takes back an approval not yet used. */
    public Decision deny(String id, String by, String reason) {
        return decide(id, Approval.State.DENIED, by, reason);
    }

    private Decision decide(String id, Approval.State decision, String by, String reason) {
        lock.lock();
        try {
            Instant now = clock.instant();
            boolean changed = sweep(now);
            Approval entry = byHash.values().stream().filter(a -> a.id().equals(id)).findFirst().orElse(null);
            if (entry == null) {
                persistIf(changed);
                return new Decision(null, Refusals.unknownApproval(id));
            }
            boolean decidable = entry.state() == Approval.State.PENDING
                    || (decision == Approval.State.DENIED && entry.state() == Approval.State.APPROVED);
            if (!decidable) {
                persistIf(changed);
                return new Decision(null, Refusals.approvalNotPending(entry));
            }
            Approval decided = entry.decided(decision, by, reason, now);
            byHash.put(entry.argumentsHash(), decided);
            recount();
            persist();
            boolean approved = decision == Approval.State.APPROVED;
            count(approved ? "approved" : "denied");
            LOG.warn("approval {} {} by {}", id, approved ? "approved" : "denied", by,
                    kv("event", approved ? Events.APPROVAL_APPROVED : Events.APPROVAL_DENIED), kv("approvalId", id),
                    kv("agent", entry.agent()), kv("tool", entry.tool()), kv("argumentsHash", entry.argumentsHash()),
                    kv("decidedBy", by), kv("reason", reason), kv("requestedBy", entry.requestId()),
                    kv("policyVersion", entry.policyVersion()), kv("expiresAt", decided.expiresAt().toString()));
            return new Decision(decided, null);
        } finally {
            lock.unlock();
        }
    }

    /** Every entry, oldest request first, with what has expired by now shown as expired. */
    public List<Approval> all() {
        lock.lock();
        try {
            persistIf(sweep(clock.instant()));
            List<Approval> all = new ArrayList<>(byHash.values());
            all.sort(java.util.Comparator.comparing(Approval::requestedAt));
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Turns overdue requests and approvals into expired ones, and clears ended entries kept long enough. */
    private boolean sweep(Instant now) {
        boolean changed = false;
        for (Map.Entry<String, Approval> e : new ArrayList<>(byHash.entrySet())) {
            Approval a = e.getValue();
            boolean live = a.state() == Approval.State.PENDING || a.state() == Approval.State.APPROVED;
            if (live && a.overdue(now)) {
                byHash.put(e.getKey(), a.expired());
                count("expired");
                LOG.warn("approval {} expired", a.id(), kv("event", Events.APPROVAL_EXPIRED), kv("approvalId", a.id()),
                        kv("agent", a.agent()), kv("tool", a.tool()), kv("argumentsHash", a.argumentsHash()),
                        kv("state", a.state()), kv("decidedBy", a.decidedBy()), kv("requestedBy", a.requestId()),
                        kv("policyVersion", a.policyVersion()));
                changed = true;
            } else if (!live && now.isAfter(a.expiresAt().plus(RETAIN))) {
                byHash.remove(e.getKey());
                changed = true;
            } else if (a.state() == Approval.State.DENIED && a.overdue(now)) {
                // A denial stands for its ttl; after that, the identical call may ask again.
                byHash.remove(e.getKey());
                changed = true;
            }
        }
        if (changed) {
            recount();
        }
        return changed;
    }

    private void recount() {
        pending.set((int) byHash.values().stream().filter(a -> a.state() == Approval.State.PENDING).count());
    }

    private void count(String decision) {
        Counter.builder(MetricNames.APPROVALS).description("Approval requests, decisions and uses, by decision")
                .tag(MetricNames.TAG_DECISION, decision).register(metrics).increment();
    }

    private String newId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return "ap-" + HexFormat.of().formatHex(bytes);
    }

    private void persistIf(boolean changed) {
        if (changed) {
            persist();
        }
    }

    // Called with the lock held. The in-memory map stays the truth when the write fails.
    private void persist() {
        recount();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(temp.toFile(), new ArrayList<>(byHash.values()));
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.error("cannot persist approvals to {}", file, kv("event", Events.APPROVALS_NOT_PERSISTED), e);
        }
    }
}
