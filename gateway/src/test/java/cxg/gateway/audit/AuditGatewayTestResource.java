package cxg.gateway.audit;

import cxg.gateway.transport.GatewayTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The mutual-TLS test gateway ({@link GatewayTestResource}) with an audit log of its own: a fresh
 * tiles directory, or (with the init arg {@code store=postgresql}) a fresh embedded PostgreSQL.
 */
public final class AuditGatewayTestResource implements QuarkusTestResourceLifecycleManager {

    static Path pki;
    static Path auditDir;
    static Path keyDir;
    static int grpcPort;
    static int tilesPort;
    static String store;
    static String jdbcUrl;

    private final GatewayTestResource gateway = new GatewayTestResource();
    private Path root;
    private EmbeddedPostgres postgres;

    @Override
    public void init(Map<String, String> initArgs) {
        store = initArgs.getOrDefault("store", "directory");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(gateway.start());
        try {
            root = Files.createTempDirectory("cxg-audit-test");
            pki = Path.of(config.get("cxg.pki.dir"));
            grpcPort = Integer.parseInt(config.get("quarkus.grpc.server.test-port"));
            auditDir = root.resolve("tiles");
            keyDir = root.resolve("keys");
            config.put("cxg.audit.key-dir", keyDir.toString());
            config.put("cxg.audit.store", store);
            config.put("cxg.audit.checkpoint-interval", "1h");
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                tilesPort = s.getLocalPort();
            }
            config.put("cxg.audit.tiles-port", String.valueOf(tilesPort));
            if (store.equals("postgresql")) {
                postgres = EmbeddedPostgres.builder().start();
                jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
                config.put("cxg.audit.url", jdbcUrl);
                config.put("cxg.audit.user", "postgres");
            } else {
                config.put("cxg.audit.dir", auditDir.toString());
            }
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        gateway.stop();
        try {
            if (postgres != null) {
                postgres.close();
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
