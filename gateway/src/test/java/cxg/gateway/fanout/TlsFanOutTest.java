package cxg.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import cxg.gateway.transport.GatewayTls;
import cxg.pki.DevPki;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import io.grpc.Channel;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's channels to scorer connectors: mutual TLS with real handshakes against the dev PKI. */
class TlsFanOutTest {

    @TempDir
    static Path dir;
    static Path pki;
    static Path foreign;

    @BeforeAll
    static void pki() {
        pki = dir.resolve("pki");
        foreign = dir.resolve("foreign");
        DevPki.init(pki, false);
        DevPki.createForeignCa(foreign, "alpha-credit");
    }

    /** A connector's TLS server: its member certificate, and it requires a client certificate from {@code ca}. */
    private static SslContext connectorTls(Path certDir, String member, Path caDir) throws Exception {
        return GrpcSslContexts.configure(SslContextBuilder.forServer(
                        certDir.resolve(member + ".crt").toFile(), certDir.resolve(member + ".key").toFile()))
                .trustManager(caDir.resolve("ca.crt").toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    private static List<PlatformAnswer> askOne(String endpoint) throws Exception {
        try (TlsScorerChannels channels = new TlsScorerChannels(GatewayTls.load(pki, "gateway", DevPki.PASSWORD))) {
            return new ScoreFanOut(channels, Duration.ofSeconds(30))
                    .ask(List.of(new ScorerTarget("alpha-credit", endpoint, DevPki.subjectOf("alpha-credit", "platform"))), ScorerRequest.newBuilder().setRequestId("r").build())
                    .get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void asksAConnectorOverMutualTlsWithTheGatewayCertificate() throws Exception {
        try (FakeScorer scorer = FakeScorer.answeringOverTls(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                .setRating(PlatformRating.newBuilder().setValue(700).setTier("good")).build(), connectorTls(pki, "alpha-credit", pki))) {
            List<PlatformAnswer> answers = askOne(scorer.endpoint());
            assertEquals(PlatformStatus.OK, answers.get(0).status());
            assertEquals(1, scorer.received.size());
        }
    }

    @Test
    void aTargetEqualToOneAskedBeforeGetsTheSameChannelAndAnotherTargetItsOwn() throws Exception {
        String subject = DevPki.subjectOf("alpha-credit", "platform");
        try (TlsScorerChannels channels = new TlsScorerChannels(GatewayTls.load(pki, "gateway", DevPki.PASSWORD))) {
            Channel first = channels.channel(new ScorerTarget("alpha-credit", "127.0.0.1:1", subject));
            // a reloaded policy set hands out new, equal target instances: still one connection per connector
            assertSame(first, channels.channel(new ScorerTarget("alpha-credit", "127.0.0.1:1", subject)));
            assertNotSame(first, channels.channel(new ScorerTarget("alpha-credit", "127.0.0.1:2", subject)));
        }
    }

    @Test
    void refusesAnotherMembersConnectorBeforeSendingTheRequest() throws Exception {
        try (FakeScorer otherPlatform = FakeScorer.answeringOverTls(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build(),
                connectorTls(pki, "beta-score", pki))) {
            List<PlatformAnswer> answers = askOne(otherPlatform.endpoint());
            assertEquals(PlatformStatus.UNAVAILABLE, answers.get(0).status());
            assertEquals(0, otherPlatform.received.size());
        }
    }

    @Test
    void refusesAConnectorWhoseCertificateIsFromAnotherCa() throws Exception {
        try (FakeScorer impostor = FakeScorer.answeringOverTls(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build(),
                connectorTls(foreign, "alpha-credit", pki))) {
            List<PlatformAnswer> answers = askOne(impostor.endpoint());
            assertEquals(PlatformStatus.UNAVAILABLE, answers.get(0).status());
            assertEquals(0, impostor.received.size());
        }
    }
}
