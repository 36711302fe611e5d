package io.oldguard.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Where halted agents are kept across restarts, and when a run of backend faults counts as guessing.
 *
 * @param file        JSON file holding the halted agents (a volume in Kubernetes); a restart reads it back
 * @param errorStreak consecutive backend faults of one agent within a window that halt it
 */
public record HaltsConfig(@NotBlank String file, @NotNull @Valid ErrorStreak errorStreak) {

    public HaltsConfig {
        file = file == null ? "state/halts.json" : file;
        errorStreak = errorStreak == null ? new ErrorStreak(null, null) : errorStreak;
    }

    public static HaltsConfig defaults() {
        return new HaltsConfig(null, null);
    }

    /** Default: 10 faults in a row within 60 s. */
    public record ErrorStreak(@NotNull @Min(2) Integer faults, @NotNull Duration window) {
        public ErrorStreak {
            faults = faults == null ? Integer.valueOf(10) : faults;
            window = window == null ? Duration.ofSeconds(60) : window;
        }
    }
}
