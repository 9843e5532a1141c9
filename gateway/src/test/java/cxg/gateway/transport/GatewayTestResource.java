package cxg.gateway.transport;

import cxg.gateway.fanout.FakeScorer;
import cxg.gateway.testing.TestPolicies;
import cxg.pki.DevPki;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerResponse;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A gateway under test with everything of its own: a fresh dev PKI (plus a stranger from our CA
 * and a foreign CA), a copy of the demo policies, scorer stand-ins for both platforms serving
 * mutual TLS with their member certificates, and free ports.
 */
public final class GatewayTestResource implements QuarkusTestResourceLifecycleManager {

    static Path root;
    static Path pki;
    static Path foreign;
    static int grpcPort;

    private FakeScorer alpha;
    private FakeScorer beta;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("cxg-gateway-test");
            pki = root.resolve("pki");
            foreign = root.resolve("foreign");
            DevPki.init(pki, false);
            DevPki.open(pki).issue("stranger", "agency");
            DevPki.createForeignCa(foreign, "court");
            Path policies = TestPolicies.copyTo(root.resolve("policies"));
            alpha = FakeScorer.answeringOverTls(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                    .setRating(PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712)
                            .setScaleId("alpha-credit").setTier("excellent")).build(), scorerTls("alpha-credit"));
            beta = FakeScorer.answeringOverTls(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build(),
                    scorerTls("beta-score"));
            grpcPort = freePort();
            return Map.of(
                    "cxg.pki.dir", pki.toString(),
                    "cxg.policy.dir", policies.toString(),
                    "quarkus.grpc.server.test-port", String.valueOf(grpcPort),
                    "quarkus.http.test-port", "0",
                    "cxg.gateway.scorer-endpoints.alpha-credit", alpha.endpoint(),
                    "cxg.gateway.scorer-endpoints.beta-score", beta.endpoint(),
                    "cxg.gateway.query-deadline", "20s");
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the gateway test environment", e);
        }
    }

    private SslContext scorerTls(String member) throws IOException {
        return GrpcSslContexts.configure(SslContextBuilder.forServer(
                        pki.resolve(member + ".crt").toFile(), pki.resolve(member + ".key").toFile()))
                .trustManager(pki.resolve("ca.crt").toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    /** The running test gateway's PKI directory (for tests in other packages). */
    public static Path pkiDir() {
        return pki;
    }

    public static int port() {
        return grpcPort;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void stop() {
        if (alpha != null) {
            alpha.close();
        }
        if (beta != null) {
            beta.close();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
