package io.oldguard.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * A PostgreSQL database that SQL tools run against, through a small HikariCP pool oldguard owns.
 *
 * @param maxPoolSize              connections at most; default from HikariCP's sizing rule, cores × 2 + 1
 * @param connectionTimeout        longest a call waits for a connection, then 503 (at least 250ms)
 * @param statementTimeout         per connection {@code statement_timeout}: no query runs longer
 * @param lockTimeout              per connection {@code lock_timeout}: no query waits longer for a row lock
 * @param idleInTransactionTimeout per connection {@code idle_in_transaction_session_timeout}: no zombie transaction
 * @param breaker                  the database's circuit breaker (failures: unavailable, statement timeouts, errors)
 */
public record DatabaseConfig(
        @NotBlank String url,
        @NotBlank String user,
        String passwordEnv,
        String passwordFile,
        @NotNull @Min(1) @Max(100) Integer maxPoolSize,
        @NotNull Duration connectionTimeout,
        @NotNull Duration statementTimeout,
        @NotNull Duration lockTimeout,
        @NotNull Duration idleInTransactionTimeout,
        @NotNull @Valid BreakerSettings breaker) {

    public DatabaseConfig {
        maxPoolSize = maxPoolSize == null ? Integer.valueOf(Runtime.getRuntime().availableProcessors() * 2 + 1) : maxPoolSize;
        connectionTimeout = connectionTimeout == null ? Duration.ofSeconds(1) : connectionTimeout;
        statementTimeout = statementTimeout == null ? Duration.ofSeconds(5) : statementTimeout;
        lockTimeout = lockTimeout == null ? Duration.ofSeconds(1) : lockTimeout;
        idleInTransactionTimeout = idleInTransactionTimeout == null ? Duration.ofSeconds(10) : idleInTransactionTimeout;
        // A database comes back quickly after a restart: probe sooner than a SOAP service, and let one
        // successful probe close the breaker (the pool reconnects by itself).
        breaker = breaker == null ? new BreakerSettings(null, null, null, 20, 5, Duration.ofSeconds(2), 1) : breaker;
    }

    public DatabaseConfig withUrl(String newUrl) {
        return new DatabaseConfig(newUrl, user, passwordEnv, passwordFile, maxPoolSize, connectionTimeout,
                statementTimeout, lockTimeout, idleInTransactionTimeout, breaker);
    }

    public DatabaseConfig withStatementTimeout(Duration timeout) {
        return new DatabaseConfig(url, user, passwordEnv, passwordFile, maxPoolSize, connectionTimeout,
                timeout, lockTimeout, idleInTransactionTimeout, breaker);
    }
}
