package io.oldguard.validation;

/**
 * One broken rule of one argument, as the agent is told it.
 *
 * @param path     the argument's path ({@code ItemID}, {@code Codes[2]})
 * @param rejected what was sent, truncated; {@code "[redacted]"} for sensitive parameters; null when absent
 * @param rule     which rule: type, required, minimum, maximum, minLength, maxLength, pattern, enum, format,
 *                 characters or unknown
 * @param expected what would have been accepted, in words a model can act on
 * @param message  one sentence: what must be, and what was sent
 */
public record Violation(String path, String rejected, String rule, String expected, String message) {
}
