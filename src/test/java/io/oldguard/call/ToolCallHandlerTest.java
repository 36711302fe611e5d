package io.oldguard.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oldguard.Setup;
import io.oldguard.admission.AgentInFlight;
import io.oldguard.audit.AllowedCallAudit;
import io.oldguard.catalog.Tool;
import io.oldguard.guard.GuardChain;
import io.oldguard.guard.Refusals;
import io.oldguard.guard.Verdict;
import io.oldguard.identity.Identities;
import io.oldguard.metrics.CallMetrics;
import io.oldguard.policy.AgentPolicy;
import io.oldguard.policy.PolicyStore;
import io.oldguard.testing.MutableClock;
import io.oldguard.testing.SidecarHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The in-flight place a call holds between the guards and its outcome, on the event-loop path. */
class ToolCallHandlerTest {

    private static final Setup SETUP = Setup.load(Path.of("sidecar.yaml"));
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    /**
     * A failure after the backend answered (here a recorder that throws) still gets the agent the service's answer,
     * and gives the call's place back once: given back twice, the agent would have one place more than its cap.
     */
    @Test
    void aCallThatFailsAfterItsAnswerGivesItsPlaceBackOnce() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MutableClock clock = new MutableClock(NOW);
        Identities identities = Identities.resolve(SETUP.config(), "sidecar.yaml", SidecarHarness.tokens());
        PolicyStore policies = new PolicyStore(SETUP.policies(), identities,
                () -> new PolicyStore.Loaded(SETUP.policies(), identities, Map.of(), List.of()), clock, registry);
        AgentInFlight inFlight = new AgentInFlight(policies::get, registry);
        Tool getStock = SETUP.policies().catalog().find("GetStock").orElseThrow();
        CompletableFuture<CallResult> neverAnswered = new CompletableFuture<>();
        AtomicInteger started = new AtomicInteger();
        AsyncBackend backend = new AsyncBackend() {
            @Override
            public CompletableFuture<CallResult> start(ToolCall call, CallControl control) {
                // The first call stays at the service; the second is refused by it (a Client fault).
                return started.incrementAndGet() == 1 ? neverAnswered : CompletableFuture.completedFuture(
                        new CallResult.Failure(Refusals.soapFault("inventory", "soap:Client", "Item not found: 7")));
            }

            @Override
            public CallResult invoke(ToolCall call) {
                throw new AssertionError("the event-loop path was expected");
            }

            @Override
            public Reachability probe() {
                return Reachability.reachable();
            }
        };
        CallRecorder throwing = (call, transport, outcome, decidedBy) -> {
            if (call.requestId().equals("r-2")) {
                throw new IllegalStateException("the recorder failed");
            }
        };
        ToolCallHandler handler = new ToolCallHandler(new GuardChain(List.of()), inFlight,
                Map.of(getStock.backend(), backend), policies, new CallMetrics(registry), clock, throwing,
                AllowedCallAudit.of(SETUP.config().audit()));
        CallControl control = new CallControl(null, Runnable::run);

        CompletableFuture<CallResult> held = handler.start(call("r-1", getStock), "json", control);
        CallResult failed = handler.start(call("r-2", getStock), "json", control).join();

        assertThat(held).isNotDone();
        assertThat(failed).isInstanceOfSatisfying(CallResult.Failure.class,
                f -> assertThat(f.refusal().outcome()).as("the service's answer").isEqualTo(Refusals.SOAP_CLIENT_FAULT));
        int places = 0;
        while (places < 100 && inFlight.enter(call("r-" + (places + 3), getStock)) == Verdict.ALLOW) {
            places++;
        }
        assertThat(places).as("places left beside the call still at the service")
                .isEqualTo(AgentPolicy.DEFAULT_MAX_IN_FLIGHT - 1);
    }

    private static ToolCall call(String requestId, Tool tool) {
        return new ToolCall(requestId, new Caller.Agent("support-bot"), tool,
                JsonNodeFactory.instance.objectNode().put("ItemID", 7), NOW, NOW.plus(Duration.ofSeconds(5)));
    }
}
