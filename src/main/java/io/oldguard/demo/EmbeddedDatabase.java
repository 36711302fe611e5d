package io.oldguard.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/** A throwaway PostgreSQL for the demo and the stand-alone simulator: a real server, started from Maven jars. */
record EmbeddedDatabase(EmbeddedPostgres postgres) implements AutoCloseable {

    static EmbeddedDatabase start() throws IOException {
        return new EmbeddedDatabase(EmbeddedPostgres.builder().start());
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
