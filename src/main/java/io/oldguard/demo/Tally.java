package io.oldguard.demo;

import java.net.http.HttpResponse;
import java.util.concurrent.atomic.LongAdder;

/** What the scene's agents saw, counted as their answers arrive; read while they are still calling. */
final class Tally {

    final LongAdder sent = new LongAdder();
    final LongAdder refused = new LongAdder();
    /** Calls that got no answer in time, or none at all. */
    final LongAdder unanswered = new LongAdder();
    final LongAdder stormSent = new LongAdder();
    /** The storming agent's calls oldguard answered "agent halted" (423): those after the halt was in force. */
    final LongAdder stormHalted = new LongAdder();
    /** The storming agent's calls answered otherwise: all of them without oldguard, those before the halt with it. */
    final LongAdder stormNotHalted = new LongAdder();
    final LongAdder othersSent = new LongAdder();
    final LongAdder othersSucceeded = new LongAdder();

    void sent(AgentCall call) {
        sent.increment();
        (call.storming() ? stormSent : othersSent).increment();
    }

    void answered(AgentCall call, HttpResponse<?> response, Route route) {
        if (route.refused(response)) {
            refused.increment();
        }
        if (call.storming()) {
            (response.statusCode() == 423 ? stormHalted : stormNotHalted).increment();
        }
        if (!call.storming() && route.succeeded(response)) {
            othersSucceeded.increment();
        }
    }

    void unanswered() {
        unanswered.increment();
    }
}
