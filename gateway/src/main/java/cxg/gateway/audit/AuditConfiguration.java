package cxg.gateway.audit;

import cxg.gateway.transport.Admission;
import cxg.gateway.transport.GatewayTls;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the audit log. It opens at start-up, on the main thread: a log that cannot open (or whose
 * stored tiles disagree with its last checkpoint) stops the gateway rather than letting requests
 * through unrecorded. Keys are created on first start and never logged.
 *
 * <p>Config: {@code cxg.audit.store} {@code directory} (default) or {@code postgresql};
 * {@code cxg.audit.dir} the tlog-tiles directory (default {@code <data>/audit}, where data is
 * {@code cxg.data.dir}, else {@code $CXG_HOME/data}, else {@code .cxg/data}); {@code cxg.audit.url},
 * {@code .user}, {@code .password} for PostgreSQL; {@code cxg.audit.key-dir} where the signing key
 * and the subject-hash secret live (default {@code <data>/audit-keys}, deliberately outside the
 * directory that is served publicly); {@code cxg.audit.origin} the checkpoint origin and key name;
 * {@code cxg.audit.checkpoint-interval} how often a grown tree is signed (default 10s);
 * {@code cxg.audit.tiles-port} / {@code .tiles-host} where the log is served read-only over HTTPS
 * (default: not served; 0 picks a free port); {@code cxg.audit.fsync} (default true) false only for
 * benchmarks: entries are written but not forced to disk (PostgreSQL: {@code synchronous_commit=off}), so an
 * acknowledgement no longer means durable; a WARN says so at start. {@code cxg.audit.commit-delay} (default 2ms; 0s:
 * never; at most 10ms) and {@code cxg.audit.commit-siblings} (default 8): how long the writer waits for more entries
 * before committing a group while at least that many queries are in flight, until all of them are in the group (see
 * {@link AuditLog#open(LogStore, NoteSigner, AuditLog.Options, java.util.function.IntSupplier)}). On by default because each
 * fsync costs the writer ~100 µs of CPU here, more than the rest of its work for a group (gateway/AUDIT.md).
 */
@Singleton
final class AuditConfiguration {

    private static final Logger LOG = Logger.getLogger(AuditConfiguration.class);

    static final String SIGNING_KEY = "audit-signing.key";
    static final String SUBJECT_SECRET = "subject-hmac.key";
    /** A longer wait would be felt by every caller under load. */
    static final Duration MAX_COMMIT_DELAY = Duration.ofMillis(10);

    private volatile AuditTileServer tileServer;

    @Produces
    @Singleton
    AuditLog auditLog(@ConfigProperty(name = "cxg.audit.store", defaultValue = "directory") String kind,
                      @ConfigProperty(name = "cxg.audit.dir") Optional<String> dir,
                      @ConfigProperty(name = "cxg.audit.url") Optional<String> url,
                      @ConfigProperty(name = "cxg.audit.user", defaultValue = "cxg") String user,
                      @ConfigProperty(name = "cxg.audit.password") Optional<String> password,
                      @ConfigProperty(name = "cxg.audit.key-dir") Optional<String> keyDir,
                      @ConfigProperty(name = "cxg.audit.origin", defaultValue = "localhost/cxg-audit") String origin,
                      @ConfigProperty(name = "cxg.audit.checkpoint-interval", defaultValue = "10s") Duration interval,
                      @ConfigProperty(name = "cxg.audit.tile-cache", defaultValue = "1024") int tileCache,
                      @ConfigProperty(name = "cxg.audit.fsync", defaultValue = "true") boolean fsync,
                      @ConfigProperty(name = "cxg.audit.commit-delay", defaultValue = "2ms") Duration commitDelay,
                      @ConfigProperty(name = "cxg.audit.commit-siblings", defaultValue = "8") int commitSiblings,
                      Admission admission,
                      @ConfigProperty(name = "cxg.data.dir") Optional<String> dataDir,
                      @ConfigProperty(name = "cxg.home") Optional<String> home) {
        if (commitDelay.isNegative() || commitDelay.compareTo(MAX_COMMIT_DELAY) > 0) {
            throw new IllegalStateException("cxg.audit.commit-delay must be between 0s and " + MAX_COMMIT_DELAY.toMillis() + "ms, not " + commitDelay);
        }
        if (commitSiblings < 1) {
            throw new IllegalStateException("cxg.audit.commit-siblings must be at least 1, not " + commitSiblings);
        }
        Path data = dataDir(dataDir, home);
        LogStore store = switch (kind) {
            case "directory" -> DirectoryLogStore.open(dir.filter(d -> !d.isBlank()).map(Path::of).orElse(data.resolve("audit")), fsync);
            case "postgresql" -> openPostgres(dataSource(url.filter(u -> !u.isBlank())
                    .orElseThrow(() -> new IllegalStateException("cxg.audit.url is required when cxg.audit.store=postgresql")),
                    user, password.orElse("")), fsync);
            default -> throw new IllegalStateException("cxg.audit.store must be directory or postgresql, not " + kind);
        };
        if (!fsync) {
            LOG.warnf("cxg.audit.fsync=false: audit entries are NOT durable (%s), a crash can lose acknowledged entries;"
                    + " for benchmarks only, never in production", kind.equals("directory") ? "not forced to disk" : "synchronous_commit=off");
        }
        try {
            NoteSigner signer = AuditKeys.loadOrCreateSigner(keys(keyDir, data).resolve(SIGNING_KEY), origin);
            AuditLog.Options options = new AuditLog.Options(origin, 4096, interval, tileCache, commitDelay, commitSiblings);
            // a query holds its admission permit until its entry is durable: exactly the callers that may still join a group
            AuditLog log = AuditLog.open(store, signer, options, admission::inFlight);
            String grouping = commitDelay.isZero() ? "commits each group at once"
                    : "waits up to " + commitDelay.toNanos() / 1000 + " µs for more entries while at least " + commitSiblings
                    + " queries are in flight and not all in the group";
            LOG.infof("audit log %s open (%s store), %d entries, verifier key %s; the writer %s",
                    origin, kind, log.size(), log.verifierKey(), grouping);
            return log;
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("audit signing key unreadable", e);
        }
    }

    @Produces
    @Singleton
    AuditRecorder recorder(AuditLog log, @ConfigProperty(name = "cxg.audit.key-dir") Optional<String> keyDir,
                           @ConfigProperty(name = "cxg.data.dir") Optional<String> dataDir,
                           @ConfigProperty(name = "cxg.home") Optional<String> home) {
        try {
            return new AuditRecorder(log, SubjectHasher.loadOrCreate(keys(keyDir, dataDir(dataDir, home)).resolve(SUBJECT_SECRET)),
                    Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException("audit subject secret unreadable", e);
        }
    }

    /** Injecting the (non-proxied) recorder is what opens the log; then the tiles are served if a port is set. */
    void openAtStart(@Observes StartupEvent event, AuditRecorder recorder,
                     @ConfigProperty(name = "cxg.audit.tiles-port", defaultValue = "-1") int tilesPort,
                     @ConfigProperty(name = "cxg.audit.tiles-host", defaultValue = "127.0.0.1") String tilesHost,
                     GatewayTls tls) {
        if (tilesPort >= 0) {
            tileServer = AuditTileServer.start(recorder.log(), tilesHost, tilesPort, tls.credential());
            LOG.infof("audit log served read-only (C2SP tlog-tiles) at https://%s:%d/checkpoint", tilesHost, tileServer.port());
        }
    }

    void stopServing(@Observes ShutdownEvent event) {
        if (tileServer != null) {
            tileServer.close();
        }
    }

    /** The port the tiles are served on, or -1. */
    int tilesPort() {
        return tileServer == null ? -1 : tileServer.port();
    }

    void close(@Disposes AuditLog log) {
        log.close();
    }

    private static Path keys(Optional<String> keyDir, Path data) {
        return keyDir.filter(d -> !d.isBlank()).map(Path::of).orElse(data.resolve("audit-keys"));
    }

    /** The start-up error names the setting; the URL itself may carry credentials. */
    private static LogStore openPostgres(javax.sql.DataSource dataSource, boolean synchronousCommit) {
        try {
            return PostgresLogStore.open(dataSource, synchronousCommit);
        } catch (AuditStoreException e) {
            throw new AuditStoreException("cannot open the audit store at cxg.audit.url", e);
        }
    }

    static Path dataDir(Optional<String> dataDir, Optional<String> home) {
        return dataDir.filter(d -> !d.isBlank()).map(Path::of)
                .orElseGet(() -> Path.of(home.or(() -> Optional.ofNullable(System.getenv("CXG_HOME")))
                        .filter(h -> !h.isBlank()).orElse(".cxg")).resolve("data"));
    }

    private static javax.sql.DataSource dataSource(String url, String user, String password) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }
}
