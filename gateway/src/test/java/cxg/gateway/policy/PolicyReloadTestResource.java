package cxg.gateway.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import cxg.pki.DevPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A gateway of its own for the hot-reload test: fresh dev PKI, a copy of the demo policies the
 * test edits, free ports, and scorer endpoints nobody listens on (the test is about decisions).
 */
public final class PolicyReloadTestResource implements QuarkusTestResourceLifecycleManager {
    static Path root;
    static Path pki;
    static Path policies;
    static int grpcPort;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("cxg-policy-reload");
            pki = root.resolve("pki");
            DevPki.init(pki, false);
            policies = Files.createDirectories(root.resolve("policies"));
            PolicyFixtures.copyDemo(policies);
            grpcPort = freePort();
            String nobody = "127.0.0.1:" + freePort();
            return Map.of(
                    "cxg.pki.dir", pki.toString(),
                    "cxg.policy.dir", policies.toString(),
                    "cxg.policy.reload-interval", "200ms",
                    "quarkus.grpc.server.test-port", String.valueOf(grpcPort),
                    "quarkus.http.test-port", "0",
                    "cxg.gateway.scorer-endpoints.alpha-credit", nobody,
                    "cxg.gateway.scorer-endpoints.beta-score", nobody,
                    "cxg.gateway.query-deadline", "5s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void stop() {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
