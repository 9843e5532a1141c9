package cxg.agency;

import com.google.protobuf.Timestamp;
import cxg.v1.Disclosure;
import cxg.v1.Factor;
import cxg.v1.FactorDirection;
import cxg.v1.PlatformResult;
import cxg.v1.PlatformStatus;
import cxg.v1.PolicyDecision;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.ReportedScore;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.RestrictionMeasure;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScoreScale;
import cxg.v1.ValueSource;
import cxg.v1.Withheld;
import io.grpc.Grpc;
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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Stands in for the gateway in the connector's own tests: serves {@code QueryService} over
 * mutual TLS with the dev PKI's gateway certificate, requires a client certificate of the CA,
 * and answers canned reports and errors chosen by the request, the way the real gateway
 * words them (description plus {@code cxg-field} / {@code cxg-rule} trailers).
 */
public final class FakeGateway implements AutoCloseable {

    public static final String ALLOWED_PURPOSE = "court-enforcement";
    public static final String ALLOWED_RULE = "agreements.yaml#court-enforcement";
    public static final String DENIED_PURPOSE = "marketing";
    public static final String DENY_RULE = "default-deny";
    /** The gateway takes longer than any test deadline to answer this purpose. */
    public static final String SLOW_PURPOSE = "slow-purpose";
    public static final String SUBJECT = "11010519491231002X";
    /** A valid subject the gateway knows no restriction for. */
    public static final String UNRESTRICTED_SUBJECT = "91350100M000100Y43";
    public static final String RESTRICTION_PURPOSE = "travel-restriction-check";
    public static final String RESTRICTION_RULE = "agreements.yaml#railway-travel-restriction";
    /** The gateway finds a wrong check character in this identifier. */
    public static final String BAD_CHECK_SUBJECT = "110105194912310021";

    private static final Set<String> AGENCIES = Set.of("CN=court,OU=agency,O=cxg-demo", "CN=railway,OU=agency,O=cxg-demo");
    private static final Metadata.Key<String> FIELD = Metadata.Key.of("cxg-field", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> RULE = Metadata.Key.of("cxg-rule", Metadata.ASCII_STRING_MARSHALLER);
    private static final io.grpc.Context.Key<String> CALLER = io.grpc.Context.key("caller");

    private final Server server;
    private volatile String lastCaller;
    private volatile ScoreQuery lastQuery;
    private volatile RestrictionCheck lastCheck;

    private FakeGateway(Server server) {
        this.server = server;
    }

    /** Starts on a free loopback port with the certificates of the dev PKI in {@code pkiDir}. */
    public static FakeGateway start(Path pkiDir) throws IOException {
        FakeGateway[] self = new FakeGateway[1];
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.forServer(pkiDir.resolve("gateway.crt").toFile(), pkiDir.resolve("gateway.key").toFile())
                        .trustManager(pkiDir.resolve("ca.crt").toFile())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build())
                .addService(ServerInterceptors.intercept(new Service(() -> self[0]), new CallerInterceptor()))
                .build()
                .start();
        self[0] = new FakeGateway(server);
        return self[0];
    }

    public int port() {
        return server.getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Certificate subject of the last caller, as seen in the TLS session. */
    public String lastCaller() {
        return lastCaller;
    }

    public ScoreQuery lastQuery() {
        return lastQuery;
    }

    public RestrictionCheck lastCheck() {
        return lastCheck;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static final class CallerInterceptor implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            String caller;
            try {
                caller = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                caller = null;
            }
            return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(CALLER, caller), call, headers, next);
        }
    }

    private static final class Service extends QueryServiceGrpc.QueryServiceImplBase {
        private final java.util.function.Supplier<FakeGateway> owner;

        Service(java.util.function.Supplier<FakeGateway> owner) {
            this.owner = owner;
        }

        @Override
        public void queryScore(ScoreQuery request, StreamObserver<ScoreReport> responses) {
            String caller = CALLER.get();
            owner.get().lastCaller = caller;
            owner.get().lastQuery = request;
            if (!AGENCIES.contains(caller)) {
                responses.onError(Status.UNAUTHENTICATED.withDescription("certificate " + caller + " belongs to no agency")
                        .asRuntimeException());
                return;
            }
            if (request.getSubject().getValue().equals(BAD_CHECK_SUBJECT)) {
                Metadata trailers = new Metadata();
                trailers.put(FIELD, "subject.value");
                responses.onError(Status.INVALID_ARGUMENT.withDescription("subject.value: wrong check character")
                        .asRuntimeException(trailers));
                return;
            }
            switch (request.getPurpose()) {
                case ALLOWED_PURPOSE -> {
                    responses.onNext(report(request));
                    responses.onCompleted();
                }
                case SLOW_PURPOSE -> {
                    try {
                        Thread.sleep(5_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    responses.onError(Status.CANCELLED.asRuntimeException());
                }
                default -> {
                    Metadata trailers = new Metadata();
                    trailers.put(RULE, DENY_RULE);
                    responses.onError(Status.PERMISSION_DENIED
                            .withDescription("denied by " + DENY_RULE + ": no agreement grants purpose '"
                                    + request.getPurpose() + "' to this member")
                            .asRuntimeException(trailers));
                }
            }
        }

        @Override
        public void checkRestriction(RestrictionCheck request, StreamObserver<RestrictionAnswer> responses) {
            owner.get().lastCheck = request;
            if (!AGENCIES.contains(CALLER.get())) {
                responses.onError(Status.UNAUTHENTICATED.asRuntimeException());
                return;
            }
            if (!request.getPurpose().equals(RESTRICTION_PURPOSE)) {
                Metadata trailers = new Metadata();
                trailers.put(RULE, DENY_RULE);
                responses.onError(Status.PERMISSION_DENIED.withDescription("denied by " + DENY_RULE)
                        .asRuntimeException(trailers));
                return;
            }
            RestrictionAnswer.Builder answer = RestrictionAnswer.newBuilder().setRequestId("req-0002")
                    .setDecision(PolicyDecision.newBuilder().setAllowed(true).setRule(RESTRICTION_RULE));
            if (request.getSubject().getValue().equals(SUBJECT)) {
                answer.setRestricted(true).addMeasures(RestrictionMeasure.newBuilder().setMeasure("air-travel-restriction")
                        .setDecisionDate(Timestamp.newBuilder().setSeconds(1_790_812_800L))
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(1_822_348_800L)));
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        private static ScoreReport report(ScoreQuery request) {
            Disclosure disclosure = request.getDisclosure() == Disclosure.DISCLOSURE_UNSPECIFIED
                    ? Disclosure.SCORE : request.getDisclosure();
            ReportedScore.Builder score = ReportedScore.newBuilder()
                    .setTier("good")
                    .setComputedAt(Timestamp.newBuilder().setSeconds(1_793_491_200L))
                    .setValidUntil(Timestamp.newBuilder().setSeconds(1_801_440_000L))
                    .setSource(ValueSource.LIVE);
            if (disclosure != Disclosure.TIER_ONLY) {
                score.setNormalizedValue(603).setOriginalValue(712)
                        .setScale(ScoreScale.newBuilder().setId("alpha-credit").setMin(350).setMax(950));
            }
            if (disclosure == Disclosure.FULL) {
                score.addFactors(Factor.newBuilder().setCategory("FINANCIAL").setCode("on-time-repayment")
                        .setDirection(FactorDirection.POSITIVE).setDescription("repaid on time for 24 months"));
            }
            return ScoreReport.newBuilder()
                    .setRequestId("req-0001")
                    .setDecision(PolicyDecision.newBuilder().setAllowed(true).setRule(ALLOWED_RULE)
                            .setReason("granted to court for FINANCIAL").setDisclosure(disclosure)
                            .addGrantedCategories("FINANCIAL"))
                    .addResults(PlatformResult.newBuilder().setPlatform("alpha-credit").setStatus(PlatformStatus.OK)
                            .setScore(score).setLatencyMillis(12))
                    .addResults(PlatformResult.newBuilder().setPlatform("beta-score").setStatus(PlatformStatus.NO_RATING)
                            .setDetail("no rating for this subject").setLatencyMillis(7))
                    .addWithheld(Withheld.newBuilder().setPlatform("alpha-credit").setField("factors[1]")
                            .setCategory("MEDICAL").setReason("prohibited category"))
                    .build();
        }
    }
}
