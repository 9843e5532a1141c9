package cxg.bench.hop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cxg.bench.load.ClientChannels;
import cxg.pki.DevPki;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bare hop over real mutual-TLS handshakes on both sides, on the TLS implementation the gateway uses. */
class ForwardingHopTest {

    @TempDir
    static Path pki;

    private Server scorer;
    private ForwardingHop hop;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        DevPki.init(pki, false);
        scorer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.forServer(pki.resolve("alpha-credit.crt").toFile(), pki.resolve("alpha-credit.key").toFile())
                        .trustManager(pki.resolve("ca.crt").toFile()).clientAuth(ClientAuth.REQUIRE).build())
                .addService(new ScorerServiceGrpc.ScorerServiceImplBase() {
                    @Override
                    public void getScore(ScorerRequest request, StreamObserver<ScorerResponse> answer) {
                        if (request.getPurpose().isEmpty()) {
                            answer.onError(Status.INVALID_ARGUMENT.withDescription("purpose is required").asRuntimeException());
                            return;
                        }
                        answer.onNext(ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING)
                                .setDetail("asked for " + request.getPurpose()).build());
                        answer.onCompleted();
                    }
                })
                .build()
                .start();
        hop = ForwardingHop.start(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", scorer.getPort()),
                pki, "gateway");
        channel = ClientChannels.open(new InetSocketAddress("127.0.0.1", hop.port()), ClientChannels.clientContext(pki, "court"));
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        hop.close();
        scorer.shutdownNow();
    }

    @Test
    void forwardsTheAnswerAndTheStatusUnchanged() {
        ScorerServiceGrpc.ScorerServiceBlockingStub stub = ScorerServiceGrpc.newBlockingStub(channel);

        ScorerResponse answer = stub.getScore(ScorerRequest.newBuilder().setPurpose("CREDIT_CHECK").build());
        assertEquals(PlatformStatus.NO_RATING, answer.getStatus());
        assertEquals("asked for CREDIT_CHECK", answer.getDetail());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> stub.getScore(ScorerRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertEquals("purpose is required", refused.getStatus().getDescription());
    }

    @Test
    void forwardsMessagesOfEverySizeByteForByte() {
        ScorerServiceGrpc.ScorerServiceBlockingStub stub = ScorerServiceGrpc.newBlockingStub(channel);
        // around grpc's and the JDK's buffer sizes, and several HTTP/2 frames long
        for (int size : new int[] {1, 8_191, 8_192, 8_193, 16_384, 100_000}) {
            String purpose = "p".repeat(size - 1) + "!";
            assertEquals("asked for " + purpose, stub.getScore(ScorerRequest.newBuilder().setPurpose(purpose).build()).getDetail(),
                    "purpose of " + size + " characters");
        }
    }

    @Test
    void paysForTlsWhatTheGatewayPays() {
        // the gateway runs BoringSSL (gateway/pom.xml); a hop on the JDK's TLS would be a different ceiling
        assertEquals("OpenSSL (BoringSSL)", hop.tls());
    }
}
