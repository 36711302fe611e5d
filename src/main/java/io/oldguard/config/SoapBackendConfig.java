package io.oldguard.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;

/**
 * A legacy SOAP service: its contract, where it listens, and how hard oldguard may lean on it.
 *
 * @param maxConnections the bulkhead: calls in flight to the service (and so HTTP connections) at most
 * @param timeout        default deadline of one call; a tool's policy may set its own
 * @param limits         the backend-wide leaky bucket and the bounds on waiting
 * @param breaker        the circuit breaker
 */
public record SoapBackendConfig(
        @NotBlank String wsdl,
        @NotNull URI endpoint,
        @NotNull Duration timeout,
        @NotNull Duration connectTimeout,
        @NotNull @Min(1) @Max(1024) Integer maxConnections,
        @NotNull @Valid BackendLimits limits,
        @NotNull @Valid BreakerSettings breaker) {

    public SoapBackendConfig {
        limits = limits == null ? BackendLimits.defaults() : limits;
        breaker = breaker == null ? BreakerSettings.defaults() : breaker;
        timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
        maxConnections = maxConnections == null ? Integer.valueOf(16) : maxConnections;
    }

    /**
     * Where the agent port takes SOAP envelopes for this service: the path of its own endpoint, so a legacy
     * client only changes host and port.
     */
    public String passthroughPath() {
        String path = endpoint.getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    public SoapBackendConfig withEndpoint(URI newEndpoint) {
        return new SoapBackendConfig(wsdl, newEndpoint, timeout, connectTimeout, maxConnections, limits, breaker);
    }

    public SoapBackendConfig withLimits(BackendLimits newLimits) {
        return new SoapBackendConfig(wsdl, endpoint, timeout, connectTimeout, maxConnections, newLimits, breaker);
    }

    public SoapBackendConfig withBreaker(BreakerSettings newBreaker) {
        return new SoapBackendConfig(wsdl, endpoint, timeout, connectTimeout, maxConnections, limits, newBreaker);
    }

    public SoapBackendConfig withMaxConnections(int max) {
        return new SoapBackendConfig(wsdl, endpoint, timeout, connectTimeout, max, limits, breaker);
    }
}
