package cxg.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.SubjectHasher;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.query.AuditedQueries;
import cxg.gateway.query.PolicyRatingPresenter;
import cxg.gateway.query.QueryGrpcService;
import cxg.gateway.query.QueryValidator;
import cxg.gateway.query.ScoreQueries;
import cxg.gateway.testing.Await;
import cxg.gateway.testing.TestPolicies;
import cxg.pki.DevPki;
import cxg.v1.PlatformStatus;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload as a caller meets it over gRPC (mutual TLS, the gateway's identity check): with one query allowed in flight, a second caller gets a fast
 * UNAVAILABLE saying the gateway is overloaded, the first caller's cancellation ends its fan-out and frees its
 * place, and both the refusal and the abandoned query are in the audit log.
 */
class OverloadGrpcTest {

    /** The scorer holds queries with this request id until the caller gives up; it answers the others. */
    private static final String HOLD = "hold";

    @TempDir
    Path dir;

    private final List<ScorerRequest> scorerReceived = new CopyOnWriteArrayList<>();
    private Server scorer;
    private Server gateway;
    private ManagedChannel scorerChannel;
    private ManagedChannel client;
    private AuditLog log;

    @BeforeEach
    void setUp() throws Exception {
        scorer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ScorerServiceGrpc.ScorerServiceImplBase() {
                    @Override
                    public void getScore(ScorerRequest request, StreamObserver<ScorerResponse> answer) {
                        scorerReceived.add(request);
                        if (!HOLD.equals(request.getRequestId())) {
                            answer.onNext(ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build());
                            answer.onCompleted();
                        }
                    }
                }).build().start();
        String endpoint = "127.0.0.1:" + scorer.getPort();
        scorerChannel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
        PolicySet policy = TestPolicies.load(TestPolicies.copyTo(dir.resolve("policies")));
        ScoreQueries queries = new ScoreQueries(() -> policy, new QueryValidator(),
                new ScoreFanOut(target -> scorerChannel, Duration.ofMinutes(10)),
                new ScorerEndpoints(Map.of("alpha-credit", endpoint, "beta-score", endpoint)), new PolicyRatingPresenter(),
                Clock.systemUTC());
        log = AuditLog.open(DirectoryLogStore.open(dir.resolve("audit")), NoteSigner.generate("test/audit"),
                new AuditLog.Options("test/audit", 64, Duration.ZERO, 64));
        AuditRecorder recorder = new AuditRecorder(log, new SubjectHasher(new byte[32]), Clock.systemUTC());
        AuditedQueries audited = new AuditedQueries(queries, recorder, new Admission(1));
        Path pki = dir.resolve("pki");
        DevPki.init(pki, false);
        GatewayTls tls = GatewayTls.load(pki, "gateway", DevPki.PASSWORD);
        // the gateway's own identity check in front, as in production: every call here is court's over mutual TLS
        gateway = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(tls.serverContext())
                .addService(ServerInterceptors.intercept(new QueryGrpcService(audited, null),
                        new CallerIdentityInterceptor(() -> policy, tls, new AuditedRefusals(recorder))))
                .build().start();
        client = NettyChannelBuilder.forAddress("127.0.0.1", gateway.getPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(pki.resolve("ca.crt").toFile())
                        .keyManager(pki.resolve("court.crt").toFile(), pki.resolve("court.key").toFile()).build())
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        client.shutdownNow();
        gateway.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        scorerChannel.shutdownNow();
        scorer.shutdownNow();
        log.close();
    }

    private static ScoreQuery query(String requestId) {
        return ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                .setPurpose("court-enforcement").setRequestId(requestId).build();
    }

    private List<AuditEntry> entries() {
        return java.util.stream.LongStream.range(0, log.size()).mapToObj(i -> AuditEntry.fromBytes(log.entry(i))).toList();
    }

    @Test
    void secondCallerIsShedWithUnavailableWhileTheFirstHoldsTheOnlyPlaceAndBothAreAudited() throws Exception {
        Context.CancellableContext first = Context.current().withCancellation();
        StreamObserver<ScoreReport> ignored = new StreamObserver<>() {
            @Override
            public void onNext(ScoreReport value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
        first.run(() -> QueryServiceGrpc.newStub(client).withDeadlineAfter(10, TimeUnit.MINUTES).queryScore(query(HOLD), ignored));
        Await.until("the first query reaches both platforms", Duration.ofMinutes(1), Duration.ofMillis(10), () -> scorerReceived.size() == 2);

        StatusRuntimeException shed = assertThrows(StatusRuntimeException.class,
                () -> QueryServiceGrpc.newBlockingStub(client).withDeadlineAfter(2, TimeUnit.MINUTES).queryScore(query("second")));

        assertEquals(Status.Code.UNAVAILABLE, shed.getStatus().getCode());
        assertTrue(shed.getStatus().getDescription().startsWith("gateway overloaded: the gateway is at its limit of 1 queries in flight"),
                shed.getStatus().getDescription());
        assertEquals(2, scorerReceived.size(), "the shed call asked no platform");
        assertEquals(List.of("OVERLOADED"), entries().stream().map(AuditEntry::outcome).toList(),
                "the refusal is recorded before it is sent");
        assertEquals("second", entries().get(0).requestId());

        first.cancel(null);
        Await.until("the abandoned query is recorded", Duration.ofMinutes(1), Duration.ofMillis(10), () -> log.size() == 2);
        AuditEntry abandoned = entries().get(1);
        assertEquals("CANCELLED", abandoned.outcome());
        assertEquals(HOLD, abandoned.requestId());
        assertEquals(Boolean.TRUE, abandoned.allowed());
        assertEquals(List.of(), abandoned.categoriesServed());

        ScoreReport third = QueryServiceGrpc.newBlockingStub(client).withDeadlineAfter(2, TimeUnit.MINUTES).queryScore(query("third"));
        assertEquals(PlatformStatus.NO_RATING, third.getResults(0).getStatus());
        assertEquals("OK", entries().get(2).outcome());
    }
}
