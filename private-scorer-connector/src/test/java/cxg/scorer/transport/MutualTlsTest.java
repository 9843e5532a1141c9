package cxg.scorer.transport;

import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connector's gRPC server with real TLS handshakes, as alpha-credit, against the dev PKI. */
@QuarkusTest
@QuarkusTestResource(value = TlsPlatformResource.class, restrictToAnnotatedClass = true)
class MutualTlsTest {

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Logger interceptorLog = Logger.getLogger(GatewayOnlyInterceptor.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (warnings) {
                warnings.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        TlsPlatformResource.platform.resetRequests();
        interceptorLog.addHandler(capture);
    }

    @AfterEach
    void close() throws InterruptedException {
        interceptorLog.removeHandler(capture);
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A stub speaking TLS trusting the member CA of the test PKI, presenting {@code member}'s certificate. */
    private ScorerServiceGrpc.ScorerServiceBlockingStub client(Path pkiDir, String member) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient()
                .trustManager(TlsPlatformResource.pki.resolve("ca.crt").toFile());
        if (member != null) {
            ssl.keyManager(pkiDir.resolve(member + ".crt").toFile(), pkiDir.resolve(member + ".key").toFile());
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", TlsPlatformResource.grpcPort)
                .overrideAuthority("localhost")
                .sslContext(ssl.build())
                .build();
        channels.add(channel);
        return ScorerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ScorerRequest request() {
        return ScorerRequest.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                .setPurpose("loan-eligibility")
                .addCategories("FINANCIAL")
                .setRequestId("tls-test")
                .build();
    }

    private static int platformCalls() {
        return TlsPlatformResource.platform.getAllServeEvents().size();
    }

    @Test
    void answersTheGatewaysCertificateWithThePlatformsRating() throws Exception {
        ScorerResponse response = client(TlsPlatformResource.pki, "gateway").getScore(request());

        assertEquals(PlatformStatus.OK, response.getStatus(), response.getDetail());
        assertEquals("alpha-credit", response.getRating().getPlatform());
        assertEquals("alpha-credit", response.getRating().getScaleId());
        assertEquals(712.0, response.getRating().getValue());
        assertEquals(1, platformCalls());
    }

    @Test
    void refusesAnotherMembersCertificateWithPermissionDeniedAndLogsWhoTried() throws Exception {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client(TlsPlatformResource.pki, "court").getScore(request()));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("client certificate: only the gateway may call the scorer service",
                refused.getStatus().getDescription());
        assertEquals(0, platformCalls());
        synchronized (warnings) {
            assertTrue(warnings.stream().anyMatch(w -> w.contains("CN=court,OU=agency,O=cxg-demo")), "" + warnings);
        }
    }

    @Test
    void refusesAPlatformsCertificateToo() throws Exception {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client(TlsPlatformResource.pki, "beta-score").getScore(request()));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals(0, platformCalls());
    }

    @Test
    void aClientWithoutCertificateNeverCompletesTheHandshake() throws Exception {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client(TlsPlatformResource.pki, null).getScore(request()));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertEquals(0, platformCalls());
    }

    @Test
    void aGatewayCertificateFromAForeignCaNeverCompletesTheHandshake() throws Exception {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client(TlsPlatformResource.foreignPki, "gateway").getScore(request()));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertEquals(0, platformCalls());
    }

    @Test
    void namesTheFieldOfAMalformedRequest() throws Exception {
        ScorerRequest noKind = request().toBuilder()
                .setSubject(SubjectId.newBuilder().setValue("11010519491231002X")).build();

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client(TlsPlatformResource.pki, "gateway").getScore(noKind));

        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertEquals("subject.kind: must be RESIDENT_ID or UNIFIED_SOCIAL_CREDIT_CODE",
                refused.getStatus().getDescription());
        assertEquals(0, platformCalls());
    }
}
