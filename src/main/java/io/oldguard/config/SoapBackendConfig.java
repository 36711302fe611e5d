package io.oldguard.config;

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
        @NotNull @Min(1) @Max(1024) Integer maxConnections) {

    public SoapBackendConfig {
        timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
        maxConnections = maxConnections == null ? Integer.valueOf(16) : maxConnections;
    }

    public SoapBackendConfig withEndpoint(URI newEndpoint) {
        return new SoapBackendConfig(wsdl, newEndpoint, timeout, connectTimeout, maxConnections);
    }
}
