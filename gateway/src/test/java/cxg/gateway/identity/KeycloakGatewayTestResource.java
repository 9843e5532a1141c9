package cxg.gateway.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import cxg.gateway.fanout.FakeScorer;
import cxg.gateway.testing.TestPolicies;
import cxg.pki.keycloak.TestKeycloak;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerResponse;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A gateway that requires tokens from the test run's real Keycloak: it uses that Keycloak's PKI (so the
 * member certificates Keycloak binds tokens to are the ones that connect), a copy of the demo policies,
 * scorer stand-ins for both platforms, and free ports.
 */
public final class KeycloakGatewayTestResource implements QuarkusTestResourceLifecycleManager {

    static TestKeycloak keycloak;
    static int grpcPort;

    private Path root;
    private FakeScorer alpha;
    private FakeScorer beta;

    @Override
    public Map<String, String> start() {
        try {
            keycloak = TestKeycloak.get();
            Path pki = keycloak.pkiDir();
            root = Files.createTempDirectory("cxg-identity-test");
            Path policies = TestPolicies.copyTo(root.resolve("policies"));
            alpha = FakeScorer.answeringOverTls(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                    .setRating(PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712)
                            .setScaleId("alpha-credit").setTier("excellent")).build(), scorerTls(pki, "alpha-credit"));
            beta = FakeScorer.answeringOverTls(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build(),
                    scorerTls(pki, "beta-score"));
            grpcPort = freePort();
            return Map.of(
                    "cxg.pki.dir", pki.toString(),
                    "cxg.policy.dir", policies.toString(),
                    "cxg.identity.issuer", keycloak.issuer(),
                    "quarkus.grpc.server.test-port", String.valueOf(grpcPort),
                    "quarkus.http.test-port", "0",
                    "cxg.gateway.scorer-endpoints.alpha-credit", alpha.endpoint(),
                    "cxg.gateway.scorer-endpoints.beta-score", beta.endpoint(),
                    "cxg.gateway.query-deadline", "20s");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the identity test environment", e);
        }
    }

    private static SslContext scorerTls(Path pki, String member) throws IOException {
        return GrpcSslContexts.configure(SslContextBuilder.forServer(
                        pki.resolve(member + ".crt").toFile(), pki.resolve(member + ".key").toFile()))
                .trustManager(pki.resolve("ca.crt").toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
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
