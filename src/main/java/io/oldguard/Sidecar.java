package io.oldguard;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.github.bucket4j.TimeMeter;
import io.oldguard.admin.AdminServer;
import io.oldguard.admission.AgentInFlight;
import io.oldguard.approval.ApprovalBook;
import io.oldguard.approval.ApprovalGuard;
import io.oldguard.approval.ApprovalWebhook;
import io.oldguard.admission.ProtectedBackend;
import io.oldguard.admin.Readiness;
import io.oldguard.audit.AllowedCallAudit;
import io.oldguard.audit.Events;
import io.oldguard.call.Backend;
import io.oldguard.call.CallRecorder;
import io.oldguard.capture.CallCapture;
import io.oldguard.config.CaptureConfig;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.config.AdminConfig;
import io.oldguard.config.BackendLimits;
import io.oldguard.config.ClusterConfig;
import io.oldguard.config.ConfigException;
import io.oldguard.config.Secrets;
import io.oldguard.config.SidecarConfig;
import io.oldguard.config.SoapBackendConfig;
import io.oldguard.halt.FleetHalts;
import io.oldguard.halt.HaltGuard;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.guard.GuardChain;
import io.oldguard.http.AgentPortServer;
import io.oldguard.http.PortInUse;
import io.oldguard.identity.AgentDirectory;
import io.oldguard.identity.Identities;
import io.oldguard.policy.PolicySet;
import io.oldguard.catalog.ToolCatalog;
import io.oldguard.config.RestartRequired;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.passthrough.SoapPassthrough;
import io.oldguard.policy.PolicyStore;
import io.oldguard.ratelimit.RateLimitGuard;
import io.oldguard.soap.SoapBackend;
import io.oldguard.sql.DatabasePools;
import io.oldguard.sql.SqlBackend;
import io.oldguard.sql.SqlVerifier;
import io.oldguard.store.LocalState;
import io.oldguard.store.RedisState;
import io.oldguard.store.SharedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running oldguard: builds the guard chain in its one fixed order, the backends, the agent port and the
 * admin port from a checked {@link Setup}, and stops them in reverse.
 */
public final class Sidecar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);
    private static final Duration READINESS_INTERVAL = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry;
    private final ExecutorService workers;
    private final Map<String, SoapBackend> soapBackends;
    private final DatabasePools pools;
    private final Readiness readiness;
    private final AgentPortServer agentPort;
    private final AdminServer adminPort;
    private final PolicyStore policies;
    private final SharedState state;
    private final FleetHalts fleetHalts;
    private final CallCapture capture;
    private final ApprovalWebhook webhook;

    private Sidecar(PrometheusMeterRegistry registry, ExecutorService workers, Map<String, SoapBackend> soapBackends,
            DatabasePools pools, Readiness readiness, AgentPortServer agentPort, AdminServer adminPort, PolicyStore policies,
            SharedState state, FleetHalts fleetHalts, CallCapture capture, ApprovalWebhook webhook) {
        this.registry = registry;
        this.workers = workers;
        this.soapBackends = soapBackends;
        this.pools = pools;
        this.readiness = readiness;
        this.agentPort = agentPort;
        this.adminPort = adminPort;
        this.policies = policies;
        this.state = state;
        this.fleetHalts = fleetHalts;
        this.capture = capture;
        this.webhook = webhook;
    }

    /** For a configuration built or adjusted in code (the demo): only the policy folder is read again on reload. */
    public static Sidecar start(SidecarConfig config, String configFile, Map<String, String> env) throws InterruptedException {
        return start(config, configFile, () -> config, env);
    }

    /**
     * Opens the database pools, loads the WSDLs and policies (checking SQL tools against their databases when
     * those answer), then starts the backends, the admin port and the agent port.
     *
     * @param reread reads {@code sidecar.yaml} again on reload: its agents apply live, other edits need a restart
     * @param env    where token and password variables are read (the process environment in production)
     */
    public static Sidecar start(SidecarConfig config, String configFile, Supplier<SidecarConfig> reread,
            Map<String, String> env) throws InterruptedException {
        return start(config, configFile, reread, env, Clock.systemUTC());
    }

    /** @param clock the wall clock of halts, approvals and deadlines (a fake one in tests of expiry) */
    public static Sidecar start(SidecarConfig config, String configFile, Supplier<SidecarConfig> reread,
            Map<String, String> env, Clock clock) throws InterruptedException {
        Identities identities = Identities.resolve(config, configFile, env);
        String adminTokenHash = adminTokenHash(config, configFile, env);
        byte[] captureKey = captureKey(config, configFile, env);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DatabasePools pools = DatabasePools.open(config, configFile, env, registry);
        // One probe per database first, so that checking SQL tools (at start and on every reload) does not wait
        // connectionTimeout for each tool of a database known to be down; readiness keeps the answer current.
        config.databases().keySet().forEach(pools::probe);
        SqlVerifier verifier = SqlVerifier.using(pools::connectionIfUsable, (key, why) ->
                LOG.warn("SQL tool not checked: {}", why, kv("event", Events.SQL_TOOL_UNVERIFIED), kv("key", key)));
        // The WSDL contracts are read once: a reload checks policies against them, and a WSDL edit needs a restart.
        ToolCatalog wsdlTools;
        Map<String, String> wsdlDigests;
        try {
            wsdlTools = ToolCatalog.load(config, configFile);
            wsdlDigests = RestartRequired.wsdlDigests(config);
        } catch (RuntimeException e) {
            pools.close();
            throw e;
        }
        // Taken before loading, so that an edit made while the sidecar starts is seen by the watcher.
        Path configPath = Files.isRegularFile(Path.of(configFile)) ? Path.of(configFile) : null;
        String baseline = PolicyStore.contentHash(config.policiesDir(), configPath);
        Setup setup;
        try {
            setup = Setup.of(config, configFile, wsdlTools, verifier);
        } catch (RuntimeException e) {
            pools.close();
            throw e;
        }
        // The loader needs the agents in force when it runs, which the store it belongs to knows.
        AtomicReference<PolicyStore> store = new AtomicReference<>();
        PolicyStore policies = new PolicyStore(setup.policies(), identities,
                () -> reloadable(config, configFile, reread, wsdlTools, wsdlDigests, store.get().identities().agents(), env,
                        verifier), clock, registry);
        store.set(policies);
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        CallMetrics metrics = new CallMetrics(registry);
        // Buckets, fleet leases, error streaks and halts: this sidecar's own, or shared through Redis (cluster:).
        SharedState state = sharedState(config, configFile, env, clock, registry);
        HaltRegistry halts = HaltRegistry.open(config.resolve(config.halts().file()), clock, registry, state.sidecarId());
        FleetHalts fleetHalts = state.halts().map(records -> FleetHalts.start(halts, records, state.sidecarId(), clock,
                config.cluster().sync(), registry)).orElse(null);
        HaltGuard haltGuard = new HaltGuard(halts);
        // Approvals live next to the halts file, and like halts survive a restart; they are this sidecar's own.
        ApprovalWebhook webhook = config.approvals().webhook() == null ? null
                : new ApprovalWebhook(config.approvals().webhook(), config.approvals().webhookTimeout(), workers);
        ApprovalBook approvals = ApprovalBook.open(config.resolve(config.halts().file()).resolveSibling("approvals.json"),
                clock, registry, webhook == null ? request -> { } : webhook);
        Map<String, SoapBackend> soapBackends = new LinkedHashMap<>();
        Map<String, Backend> backends = new LinkedHashMap<>();
        Map<String, Duration> timeouts = new LinkedHashMap<>();
        // Breaker, shaping and bulkhead stand between every call and every backend, SOAP or SQL.
        Map<String, ProtectedBackend> shaped = new LinkedHashMap<>();
        config.backends().forEach((name, b) -> {
            SoapBackend soap = new SoapBackend(name, b, clock);
            soapBackends.put(name, soap);
            shaped.put(name, new ProtectedBackend(name, soap, b.maxConnections(), b.limits(), b.breaker(), haltGuard,
                    policies::get, clock, state, registry));
            timeouts.put(name, b.timeout());
        });
        backends.putAll(shaped);
        // Backend-wide limits in sidecar.yaml apply live; the rest of a backend's settings need a restart.
        policies.onApplied(loaded -> loaded.backendLimits().forEach((name, limits) -> shaped.get(name).reconfigure(limits)));
        config.databases().forEach((name, db) -> {
            SqlBackend sql = new SqlBackend(name, pools.get(name), () -> pools.probe(name), db.statementTimeout(), workers, clock);
            // The pool is the bulkhead; a call waits for a connection at most connectionTimeout.
            BackendLimits waitForConnection = new BackendLimits(null, db.connectionTimeout(), null, null);
            backends.put(name, new ProtectedBackend(name, sql, db.maxPoolSize(), waitForConnection, db.breaker(),
                    haltGuard, policies::get, clock, state, registry));
            timeouts.put(name, db.statementTimeout());
        });

        // Also charges tool listings, which are answered without the chain.
        RateLimitGuard rateLimits = new RateLimitGuard(policies::get, state, registry);
        GuardChain chain = GuardOrder.chain(policies::get, halts, haltGuard, rateLimits,
                new ApprovalGuard(policies::get, approvals), state, config.halts().errorStreak(), registry, clock);

        CallCapture capture = captureKey == null ? null : CallCapture.start(config.capture(),
                config.resolve(config.capture().file()), captureKey, policies, clock, registry);
        ToolCallHandler calls = new ToolCallHandler(chain, new AgentInFlight(policies::get, registry), backends, policies,
                metrics, clock, capture == null ? CallRecorder.NONE : capture, AllowedCallAudit.of(config.audit()));
        Readiness readiness = new Readiness(backends, state, READINESS_INTERVAL, registry);
        AdminServer admin;
        AgentPortServer agentPort;
        try {
            admin = AdminServer.start(config.listeners().admin(), config.requests().idleTimeout(), config.admin(),
                    adminTokenHash, readiness, registry, halts, policies, approvals, workers, clock);
            try {
                SoapPassthrough soap = new SoapPassthrough(config, policies::get, timeouts, calls, metrics, clock);
                agentPort = AgentPortServer.start(config.listeners().agent(), config.requests(),
                        new AgentDirectory(policies::identities),
                        haltGuard, rateLimits, policies, calls, workers, timeouts, metrics, soap, registry, clock);
            } catch (InterruptedException | RuntimeException e) {
                admin.close();
                throw e;
            }
        } catch (InterruptedException | RuntimeException e) {
            readiness.close();
            if (webhook != null) {
                webhook.close();
            }
            if (fleetHalts != null) {
                fleetHalts.close();
            }
            if (capture != null) {
                capture.close();
            }
            state.close();
            pools.close();
            if (e instanceof PortInUse inUse) {
                String key = inUse.port() == config.listeners().admin().port() ? "listeners.admin.port" : "listeners.agent.port";
                throw ConfigException.of(configFile, key, inUse.getMessage() + " (expected: a free port; `ss -ltnp` shows who holds it)");
            }
            throw e;
        }
        if (!config.policyWatch().isZero()) {
            policies.watch(config.policiesDir(), configPath, config.policyWatch(), baseline);
        }
        LOG.info("oldguard serving agents on port {}, admin on port {}", agentPort.port(), admin.port(),
                kv("event", Events.STARTED), kv("agentPort", agentPort.port()), kv("adminPort", admin.port()),
                kv("tools", setup.catalog().all().size()), kv("policyVersion", setup.policies().version()));
        return new Sidecar(registry, workers, soapBackends, pools, readiness, agentPort, admin, policies, state, fleetHalts,
                capture, webhook);
    }

    /** The key sensitive parameters are hashed with in the capture file; null when capture is off. */
    private static byte[] captureKey(SidecarConfig config, String configFile, Map<String, String> env) {
        CaptureConfig capture = config.capture();
        if (capture == null) {
            return null;
        }
        try {
            return Secrets.read(config, capture.keyEnv(), capture.keyFile(), env, "the key sensitive parameters are hashed with")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(configFile, "capture", e.getMessage());
        }
    }

    /** This sidecar alone (no {@code cluster:}), or one of a fleet sharing Redis. */
    private static SharedState sharedState(SidecarConfig config, String configFile, Map<String, String> env, Clock clock,
            PrometheusMeterRegistry registry) {
        ClusterConfig cluster = config.cluster();
        if (cluster == null) {
            return LocalState.alone(TimeMeter.SYSTEM_NANOTIME, clock, RedisState.defaultSidecarId(env));
        }
        String id = cluster.id() != null && !cluster.id().isBlank() ? cluster.id() : RedisState.defaultSidecarId(env);
        String password = null;
        if (cluster.passwordEnv() != null || cluster.passwordFile() != null) {
            try {
                password = Secrets.read(config, cluster.passwordEnv(), cluster.passwordFile(), env, "the Redis password");
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(configFile, "cluster", e.getMessage());
            }
        }
        return RedisState.connect(cluster, password, id, TimeMeter.SYSTEM_NANOTIME, clock, registry);
    }

    /**
     * Everything a reload may change: the policy folder, and {@code sidecar.yaml}'s agents (with their tokens) and
     * backend-wide limits. The running configuration's other settings stay; edits to them are reported as needing
     * a restart.
     */
    private static PolicyStore.Loaded reloadable(SidecarConfig running, String configFile, Supplier<SidecarConfig> reread,
            ToolCatalog wsdlTools, Map<String, String> wsdlDigests, Set<String> agentsInForce, Map<String, String> env,
            SqlVerifier verifier) {
        SidecarConfig edited = reread.get();
        // Backend-wide limits apply live, so the policies are checked against the edited ones (a cost fits a burst).
        Map<String, BackendLimits> limits = new LinkedHashMap<>();
        Map<String, SoapBackendConfig> backends = new LinkedHashMap<>(running.backends());
        edited.backends().forEach((name, b) -> {
            if (running.backends().containsKey(name)) {
                limits.put(name, b.limits());
                backends.put(name, running.backends().get(name).withLimits(b.limits()));
            }
        });
        SidecarConfig effective = running.withAgents(edited.agents()).withBackends(backends);
        Set<String> retired = new HashSet<>(agentsInForce);
        retired.removeAll(edited.agents().keySet());
        List<String> problems = new ArrayList<>();
        Identities identities = null;
        PolicySet policies = null;
        try {
            identities = Identities.resolve(effective, configFile, env);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            policies = Setup.reloadPolicies(effective, wsdlTools, verifier, retired);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new PolicyStore.Loaded(policies, identities, limits, RestartRequired.between(running, wsdlDigests, edited));
    }

    private static String adminTokenHash(SidecarConfig config, String configFile, Map<String, String> env) {
        AdminConfig admin = config.admin();
        if (!admin.configured()) {
            return null;
        }
        String key = admin.tokenEnv() != null ? "admin.tokenEnv" : "admin.tokenFile";
        String token;
        try {
            token = Secrets.read(config, admin.tokenEnv(), admin.tokenFile(), env, "the admin token");
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(configFile, key, e.getMessage());
        }
        // The admin token can halt and release every agent: no weaker than an agent's own.
        if (token.length() < Secrets.MIN_TOKEN_LENGTH) {
            throw ConfigException.of(configFile, key, "the admin token is " + token.length()
                    + " characters long (expected at least " + Secrets.MIN_TOKEN_LENGTH + ", as for agent tokens)");
        }
        return Secrets.sha256(token);
    }

    /** The policy set in force and its reloading. */
    public PolicyStore policies() {
        return policies;
    }

    public int agentPort() {
        return agentPort.port();
    }

    public int adminPort() {
        return adminPort.port();
    }

    @Override
    public void close() {
        policies.close();
        agentPort.close();
        workers.shutdownNow();
        if (webhook != null) {
            webhook.close();
        }
        adminPort.close();
        readiness.close();
        if (fleetHalts != null) {
            fleetHalts.close();
        }
        state.close();
        if (capture != null) {
            // After the agent port: the calls still finishing are written.
            capture.close();
        }
        soapBackends.values().forEach(SoapBackend::close);
        pools.close();
        registry.close();
        LOG.info("oldguard stopped", kv("event", Events.STOPPED));
    }
}
