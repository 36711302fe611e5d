package io.oldguard.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oldguard.config.Rate;
import io.oldguard.guard.Refusal;
import io.oldguard.guard.Refusals;
import io.oldguard.halt.Halt;
import io.oldguard.validation.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one table from a refusal to what an MCP client sees: a tool result to correct, or a JSON-RPC error code. */
class McpErrorsTest {

    private static final Violation STRING_ID = new Violation("ItemID", "abc", "type", "an integer from 1 to 9999999",
            "ItemID must be an integer from 1 to 9999999; you sent the string \"abc\".");

    @Test
    void refusalsTheModelCanCorrectAreToolResults() {
        assertThat(McpErrors.isToolError(Refusals.invalidArguments("GetStock", List.of(STRING_ID), true))).isTrue();
        assertThat(McpErrors.isToolError(Refusals.soapFault("inventory", "soap:Client", "Item not found: 888888"))).isTrue();
        assertThat(McpErrors.isToolError(Refusals.soapFault("inventory", "soap:Server", "database down"))).isFalse();
    }

    @Test
    void eachRefusalTheModelCannotRewordHasItsStableCode() {
        Halt halt = new Halt("support-bot", Halt.MANUAL, "stopped by hand", Instant.EPOCH, null, null, null, null, "v1");

        assertThat(McpErrors.code(Refusals.missingCredentials())).isEqualTo(-32001);
        assertThat(McpErrors.code(Refusals.halted(halt))).isEqualTo(-32002);
        assertThat(McpErrors.code(Refusals.notGranted("support-bot", "ReserveStock", List.of("GetStock")))).isEqualTo(-32003);
        assertThat(McpErrors.code(Refusals.rateLimited("agent", "support-bot", "GetStock", Rate.parse("1/s"), 0,
                Duration.ofMillis(400)))).isEqualTo(-32004);
        assertThat(McpErrors.code(Refusals.circuitOpen("inventory", Duration.ofSeconds(3)))).isEqualTo(-32005);
        assertThat(McpErrors.code(Refusals.backendTimeout("inventory", Duration.ofSeconds(2)))).isEqualTo(-32005);
        assertThat(McpErrors.code(Refusals.soapFault("inventory", "soap:Server", "database down"))).isEqualTo(-32005);
        assertThat(McpErrors.code(Refusals.unknownTool("DropTables", List.of("GetStock")))).isEqualTo(-32602);
        assertThat(McpErrors.code(Refusals.sessionNotFound())).isEqualTo(-32000);
    }

    @Test
    void theErrorDataIsTheProblemDocumentWithRetryAfterInSeconds() {
        Refusal limited = Refusals.rateLimited("tool", "support-bot", "GetStock", Rate.parse("1/s"), 0, Duration.ofMillis(1500));

        ObjectNode error = McpErrors.error(limited, "req-1");

        assertThat(error.path("message").asText()).isEqualTo(limited.detail());
        assertThat(error.path("data").path("type").asText()).isEqualTo("https://oldguard.dev/problems/rate-limited");
        assertThat(error.path("data").path("status").asInt()).isEqualTo(429);
        assertThat(error.path("data").path("retryAfter").asLong()).isEqualTo(2);
        assertThat(error.path("data").path("requestId").asText()).isEqualTo("req-1");
    }
}
