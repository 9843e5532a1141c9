package cxg.scorer.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.pki.keycloak.TestKeycloak;
import cxg.v1.AckStatus;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmissionServiceGrpc;
import cxg.v1.SubmitRequest;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cxg scorer submit} gets its token from the real Keycloak and, when the gateway rejects it,
 * asks for a fresh one and tries once more — never more. The gateway here is a stand-in over real mutual TLS.
 */
class SubmitTokenRetryTest {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path tmp;

    private Server gateway;
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
    private final StringWriter err = new StringWriter();

    /** A gateway that admits a stream only if {@code admit} accepts its bearer token, and accepts every item. */
    private String startGateway(Path pki, Predicate<String> admit) throws Exception {
        SubmissionServiceGrpc.SubmissionServiceImplBase service = new SubmissionServiceGrpc.SubmissionServiceImplBase() {
            @Override
            public StreamObserver<SubmitRequest> submit(StreamObserver<SubmissionAck> acks) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(SubmitRequest r) {
                        List<com.google.protobuf.ByteString> payloads = r.hasBatch() ? r.getBatch().getPayloadsList()
                                : List.of(r.getItem().getPayload());
                        for (com.google.protobuf.ByteString p : payloads) {
                            try {
                                acks.onNext(SubmissionAck.newBuilder().setItemId(SubmissionItem.parseFrom(p).getItemId())
                                        .setStatus(AckStatus.ACCEPTED).build());
                            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                                acks.onError(Status.INVALID_ARGUMENT.asRuntimeException());
                            }
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        acks.onCompleted();
                    }
                };
            }
        };
        ServerInterceptor tokenCheck = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String token = headers.get(AUTHORIZATION);
                tokensSeen.add(token);
                if (!admit.test(token)) {
                    call.close(Status.UNAUTHENTICATED.withDescription("token-signature: token is signed with a key realm cxg does not have"),
                            new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return next.startCall(call, headers);
            }
        };
        gateway = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.forServer(pki.resolve("gateway.crt").toFile(), pki.resolve("gateway.key").toFile())
                        .trustManager(pki.resolve("ca.crt").toFile()).clientAuth(ClientAuth.REQUIRE).build())
                .addService(ServerInterceptors.intercept(service, tokenCheck))
                .build().start();
        return "127.0.0.1:" + gateway.getPort();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.shutdownNow();
        }
    }

    /** alpha-credit's certificate and the CA from the test Keycloak's PKI, so that Keycloak binds tokens to it. */
    private Path pki(TestKeycloak keycloak) throws Exception {
        Path pki = Files.createDirectories(tmp.resolve("pki"));
        for (String f : new String[] {"ca.crt", "gateway.crt", "gateway.key", "alpha-credit.crt", "alpha-credit.key", "alpha-credit.p12"}) {
            Files.copy(keycloak.pkiDir().resolve(f), pki.resolve(f));
        }
        return pki;
    }

    private int submit(TestKeycloak keycloak, Path pki, String gatewayAddress) throws Exception {
        Path file = Files.writeString(tmp.resolve("ratings.jsonl"), "{\"itemId\":\"a-1\",\"rating\":{\"subject\":{\"kind\":\"RESIDENT_ID\","
                + "\"value\":\"11010519491231002X\"},\"value\":712,\"scaleId\":\"alpha-credit\",\"computedAt\":\"2026-11-01T00:00:00Z\"}}\n");
        return ScorerCli.run(new String[] {"submit", "--as", "alpha-credit", "--file", file.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                Map.of("cxg.pki.dir", pki.toString(), "cxg.gateway.address", gatewayAddress,
                        "cxg.keycloak.url", keycloak.baseUrl().toString()));
    }

    @Test
    void rejectedTokenIsReplacedOnceAndTheSubmissionGoesThrough() throws Exception {
        TestKeycloak keycloak = TestKeycloak.get();
        Path pki = pki(keycloak);
        String address = startGateway(pki, token -> !tokensSeen.isEmpty() && !token.equals(tokensSeen.get(0)));

        assertEquals(0, submit(keycloak, pki, address), err.toString());

        assertEquals(2, tokensSeen.size());
        assertTrue(tokensSeen.get(0).startsWith("Bearer "), "a real bearer token was sent");
        assertNotEquals(tokensSeen.get(0), tokensSeen.get(1), "the retry carries a fresh token");
        assertTrue(err.toString().contains("retrying once"), err.toString());
    }

    @Test
    void aSecondRejectionEndsTheRunDeniedWithoutMoreRetries() throws Exception {
        TestKeycloak keycloak = TestKeycloak.get();
        Path pki = pki(keycloak);
        String address = startGateway(pki, token -> false);

        assertEquals(3, submit(keycloak, pki, address));

        assertEquals(2, tokensSeen.size());
        assertTrue(err.toString().contains("UNAUTHENTICATED"), err.toString());
    }
}
