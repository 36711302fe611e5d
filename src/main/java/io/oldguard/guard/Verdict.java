package io.oldguard.guard;

/** What a guard decides about a call: {@link #ALLOW}, or a {@link Refusal} that ends it. */
public sealed interface Verdict permits Verdict.Allow, Refusal {

    Verdict ALLOW = new Allow();

    final class Allow implements Verdict {
        private Allow() {
        }
    }
}
