package io.oldguard;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.github.bucket4j.TimeMeter;
import io.oldguard.admin.AdminServer;
import io.oldguard.admission.ProtectedBackend;
import io.oldguard.admin.Readiness;
import io.oldguard.audit.Events;
import io.oldguard.call.Backend;
import io.oldguard.call.ToolCallHandler;
import io.oldguard.config.AdminConfig;
import io.oldguard.config.ConfigException;
import io.oldguard.config.HaltsConfig;
import io.oldguard.config.Secrets;
import io.oldguard.config.SidecarConfig;
import io.oldguard.halt.ErrorStreakGuard;
import io.oldguard.halt.HaltGuard;
import io.oldguard.halt.HaltRegistry;
import io.oldguard.validation.ValidationGuard;
import io.oldguard.guard.GuardChain;
import io.oldguard.guard.GuardChain.NamedGuard;
import io.oldguard.http.AgentPortServer;
import io.oldguard.identity.AgentDirectory;
import io.oldguard.identity.IdentityGuard;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.policy.PermissionGuard;
import io.oldguard.ratelimit.RateLimitGuard;
import io.oldguard.policy.PolicySet;
import io.oldguard.soap.SoapBackend;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
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
    private final Map<String, SoapBackend> backends;
    private final Readiness readiness;
    private final AgentPortServer agentPort;
    private final AdminServer adminPort;

    private Sidecar(PrometheusMeterRegistry registry, ExecutorService workers, Map<String, SoapBackend> backends,
            Readiness readiness, AgentPortServer agentPort, AdminServer adminPort) {
        this.registry = registry;
        this.workers = workers;
        this.backends = backends;
        this.readiness = readiness;
        this.agentPort = agentPort;
        this.adminPort = adminPort;
    }

    /**
     * @param env where agent token variables are read (the process environment in production)
     */
    public static Sidecar start(Setup setup, Map<String, String> env) throws InterruptedException {
        SidecarConfig config = setup.config();
        Clock clock = Clock.systemUTC();
        AgentDirectory agents = AgentDirectory.resolve(config, setup.configFile(), env);
        AtomicReference<PolicySet> policies = new AtomicReference<>(setup.policies());

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CallMetrics metrics = new CallMetrics(registry);
        Map<String, SoapBackend> soapBackends = new LinkedHashMap<>();
        Map<String, Backend> backends = new LinkedHashMap<>();
        Map<String, Duration> timeouts = new LinkedHashMap<>();
        config.backends().forEach((name, backendConfig) -> {
            SoapBackend soap = new SoapBackend(name, backendConfig, clock);
            soapBackends.put(name, soap);
            // Breaker, shaping and bulkhead stand between every call and the legacy service.
            backends.put(name, new ProtectedBackend(name, soap, backendConfig, policies::get, clock,
                    TimeMeter.SYSTEM_NANOTIME, registry));
            timeouts.put(name, backendConfig.timeout());
        });

        HaltRegistry halts = HaltRegistry.open(config.resolve(config.halts().file()), clock, registry);
        HaltGuard haltGuard = new HaltGuard(halts);
        HaltsConfig.ErrorStreak streak = config.halts().errorStreak();

        // The order of the guards is fixed here and nowhere else.
        GuardChain chain = new GuardChain(List.of(
                new NamedGuard("identity", new IdentityGuard()),
                new NamedGuard("halt", haltGuard),
                new NamedGuard("permission", new PermissionGuard(policies::get)),
                new NamedGuard("validation", new ValidationGuard(policies::get, halts, registry, clock)),
                new NamedGuard("rate-limit", new RateLimitGuard(policies::get, TimeMeter.SYSTEM_NANOTIME, registry)),
                new NamedGuard("error-streak", new ErrorStreakGuard(halts, streak.faults(), streak.window(),
                        policies::get, clock))));

        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        ToolCallHandler calls = new ToolCallHandler(chain, backends, metrics, clock);
        Readiness readiness = new Readiness(backends, READINESS_INTERVAL, registry);
        AdminServer admin = AdminServer.start(config.listeners().admin(), readiness, registry, halts,
                config.agents().keySet(), policies::get, adminTokenHash(setup, env), workers);
        AgentPortServer agentPort;
        try {
            agentPort = AgentPortServer.start(config.listeners().agent(), config.requests(), setup.catalog(), agents,
                    haltGuard, policies::get, calls, workers, timeouts, metrics, clock);
        } catch (InterruptedException | RuntimeException e) {
            admin.close();
            readiness.close();
            throw e;
        }
        LOG.info("oldguard serving agents on port {}, admin on port {}", agentPort.port(), admin.port(),
                kv("event", Events.STARTED), kv("agentPort", agentPort.port()), kv("adminPort", admin.port()),
                kv("tools", setup.catalog().all().size()), kv("policyVersion", setup.policies().version()));
        return new Sidecar(registry, workers, soapBackends, readiness, agentPort, admin);
    }

    private static String adminTokenHash(Setup setup, Map<String, String> env) {
        AdminConfig admin = setup.config().admin();
        if (!admin.configured()) {
            return null;
        }
        try {
            return Secrets.sha256(Secrets.read(setup.config(), admin.tokenEnv(), admin.tokenFile(), env, "the admin token"));
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(setup.configFile(), "admin", e.getMessage());
        }
    }

    public int agentPort() {
        return agentPort.port();
    }

    public int adminPort() {
        return adminPort.port();
    }

    @Override
    public void close() {
        agentPort.close();
        workers.shutdownNow();
        adminPort.close();
        readiness.close();
        backends.values().forEach(SoapBackend::close);
        registry.close();
        LOG.info("oldguard stopped", kv("event", Events.STOPPED));
    }
}
