package io.oldguard.policy;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/** Halt only after {@code count} violations of one tool by one agent within {@code window}; fewer are rejected. */
public record Strikes(@NotNull @Min(1) Integer count, @NotNull Duration window) {
}
