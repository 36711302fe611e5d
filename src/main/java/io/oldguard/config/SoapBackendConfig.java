package io.oldguard.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;

/**
 * A legacy SOAP service: its contract, where it listens, and how hard oldguard may lean on it.
 *
 * @param maxConnections cap on concurrent HTTP connections (and so calls) to the service
 * @param timeout        default deadline of one call; a tool's policy may set its own
 */
public record SoapBackendConfig(
        @NotBlank String wsdl,
        @NotNull URI endpoint,
        @NotNull Duration timeout,
        @NotNull Duration connectTimeout,
        @Min(1) @Max(1024) int maxConnections) {

    @JsonCreator
    public SoapBackendConfig(String wsdl, URI endpoint, Duration timeout, Duration connectTimeout, Integer maxConnections) {
        this(wsdl, endpoint,
                timeout == null ? Duration.ofSeconds(5) : timeout,
                connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout,
                maxConnections == null ? 16 : maxConnections.intValue());
    }

    public SoapBackendConfig withEndpoint(URI newEndpoint) {
        return new SoapBackendConfig(wsdl, newEndpoint, timeout, connectTimeout, maxConnections);
    }
}
