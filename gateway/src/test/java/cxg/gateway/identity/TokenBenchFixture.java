package cxg.gateway.identity;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import cxg.gateway.audit.AuditKeys;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.SubjectHasher;
import cxg.gateway.policy.PolicyLoader;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.QuotaLimiter;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.AuditedRefusals;
import cxg.gateway.transport.CallerIdentityInterceptor;
import cxg.gateway.transport.GatewayTls;
import cxg.pki.DevPki;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;

/**
 * What the token benchmarks ({@link TokenBenchmark}, JMH; {@link TokenCheckCost}, the report's) call: three
 * mutual-TLS loopback servers answering {@code QueryService/QueryScore} trivially, one behind the certificate check
 * alone, one with the token check as the gateway runs it (verified tokens remembered), one verifying every token in
 * full; court's channel to each, sending the same token header on every call; and the two verifiers alone. The token
 * is shaped like Keycloak's (RS256, certificate-bound, the same claims) but signed by a key made here, so no Keycloak
 * is needed.
 */
final class TokenBenchFixture implements AutoCloseable {

    private static final String ISSUER = "https://localhost:7843/realms/cxg";
    private static final ScoreQuery QUERY = ScoreQuery.newBuilder().setPurpose("court-enforcement").build();

    private final Path dir;
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private AuditLog auditLog;
    private QueryServiceGrpc.QueryServiceBlockingStub baseline;
    private QueryServiceGrpc.QueryServiceBlockingStub checked;
    private QueryServiceGrpc.QueryServiceBlockingStub checkedUncached;
    private TokenVerifier cachedVerifier;
    private TokenVerifier uncachedVerifier;
    private String authorization;
    private X509Certificate courtCert;

    private TokenBenchFixture(Path dir) {
        this.dir = dir;
    }

    /** Everything up, and one call through each server answered. */
    static TokenBenchFixture open() throws Exception {
        TokenBenchFixture f = new TokenBenchFixture(Files.createTempDirectory("cxg-token-bench"));
        try {
            f.start();
        } catch (Exception | Error e) {
            try {
                f.close();
            } catch (Exception | Error closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return f;
    }

    private void start() throws Exception {
        Path pki = dir.resolve("pki");
        DevPki.init(pki, false);
        courtCert = DevPki.open(pki).certificate("court");
        PolicySet policy = new PolicyLoader(Clock.systemUTC(), QuotaLimiter.create())
                .load(TestPolicies.copyTo(dir.resolve("policies"))).policySet().orElseThrow();

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair realmKey = rsa.generateKeyPair();
        authorization = "Bearer " + keycloakLikeToken(realmKey, TokenVerifier.thumbprint(courtCert));
        JwksKeys keys = new JwksKeys(() -> jwks((RSAPublicKey) realmKey.getPublic()), Clock.systemUTC(), Duration.ofSeconds(10));
        cachedVerifier = new TokenVerifier(ISSUER, "cxg-gateway", keys, Clock.systemUTC(), Duration.ofSeconds(5));
        uncachedVerifier = new TokenVerifier(ISSUER, "cxg-gateway", keys, Clock.systemUTC(), Duration.ofSeconds(5), 0);

        Path audit = Files.createDirectories(dir.resolve("audit"));
        auditLog = AuditLog.open(DirectoryLogStore.open(audit.resolve("tiles")),
                AuditKeys.loadOrCreateSigner(audit.resolve("signing.key"), "bench/cxg-audit"), AuditLog.Options.defaults("bench/cxg-audit"));
        AuditedRefusals refusals = new AuditedRefusals(new AuditRecorder(auditLog,
                SubjectHasher.loadOrCreate(audit.resolve("subject.key")), Clock.systemUTC()));
        CallerIdentityInterceptor certificateCheck = new CallerIdentityInterceptor(() -> policy, GatewayTls.load(pki, "gateway", DevPki.PASSWORD), refusals);
        baseline = stub(pki, serve(pki, certificateCheck));
        checked = stub(pki, serve(pki, new TokenInterceptor(new TokenChecks(Optional.of(cachedVerifier)), refusals),
                certificateCheck));
        checkedUncached = stub(pki, serve(pki, new TokenInterceptor(new TokenChecks(Optional.of(uncachedVerifier)),
                refusals), certificateCheck));
        for (var s : List.of(baseline, checked, checkedUncached)) {
            s.queryScore(QUERY);
        }
    }

    /** A call through the certificate check alone. */
    ScoreReport callWithoutTokenCheck() {
        return baseline.queryScore(QUERY);
    }

    /** A call through the token check as the gateway runs it (verified tokens remembered) and the certificate check. */
    ScoreReport callWithTokenCheck() {
        return checked.queryScore(QUERY);
    }

    /** A call through a token check that verifies every token in full, and the certificate check. */
    ScoreReport callWithTokenCheckUncached() {
        return checkedUncached.queryScore(QUERY);
    }

    /** The remembering verifier alone (after the first call, a repeat). */
    TokenCheck verifyRemembered() {
        return accepted(cachedVerifier.verify(authorization, courtCert, "court"));
    }

    /** The verifier alone, verifying the token in full: JSON, RSA signature, claims. */
    TokenCheck verifyInFull() {
        return accepted(uncachedVerifier.verify(authorization, courtCert, "court"));
    }

    @Override
    public void close() throws InterruptedException, IOException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (auditLog != null) {
            auditLog.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static TokenCheck accepted(TokenCheck check) {
        if (!check.isAccepted()) {
            throw new IllegalStateException(check.problem());
        }
        return check;
    }

    /** A mutual-TLS server as the gateway's certificate; interceptors listed last run first. */
    private Server serve(Path pki, ServerInterceptor... interceptors) throws IOException {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.forServer(pki.resolve("gateway.crt").toFile(), pki.resolve("gateway.key").toFile())
                        .trustManager(pki.resolve("ca.crt").toFile()).clientAuth(ClientAuth.REQUIRE).build())
                // built by hand: a QueryServiceImplBase subclass in the test sources would be taken for the gateway's own service
                .addService(ServerInterceptors.intercept(ServerServiceDefinition.builder(QueryServiceGrpc.SERVICE_NAME)
                        .addMethod(QueryServiceGrpc.getQueryScoreMethod(), ServerCalls.asyncUnaryCall(
                                (ScoreQuery request, StreamObserver<ScoreReport> out) -> {
                                    out.onNext(ScoreReport.getDefaultInstance());
                                    out.onCompleted();
                                }))
                        .build(), interceptors))
                .build().start();
        servers.add(server);
        return server;
    }

    /** court's channel to {@code server}, sending the token on every call (the baseline too, so requests are alike). */
    private QueryServiceGrpc.QueryServiceBlockingStub stub(Path pki, Server server) throws IOException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(pki.resolve("ca.crt").toFile())
                        .keyManager(pki.resolve("court.crt").toFile(), pki.resolve("court.key").toFile()).build())
                .build();
        channels.add(channel);
        Metadata headers = new Metadata();
        headers.put(TokenInterceptor.AUTHORIZATION, authorization.getBytes(StandardCharsets.US_ASCII));
        return QueryServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The claims Keycloak 26 puts in a client-credentials token of realm cxg (about the same size). */
    private static String keycloakLikeToken(KeyPair key, String thumbprint) throws Exception {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"bench-key\"}";
        String claims = "{\"exp\":" + (now + 3600) + ",\"iat\":" + now + ",\"jti\":\"trrtcc:" + UUID.randomUUID()
                + "\",\"iss\":\"" + ISSUER + "\",\"aud\":\"cxg-gateway\",\"sub\":\"" + UUID.randomUUID()
                + "\",\"typ\":\"Bearer\",\"azp\":\"court\",\"acr\":\"1\",\"realm_access\":{\"roles\":[\"agency\"]},"
                + "\"scope\":\"profile email\",\"cnf\":{\"x5t#S256\":\"" + thumbprint + "\"},\"email_verified\":false,"
                + "\"clientHost\":\"127.0.0.1\",\"preferred_username\":\"service-account-court\",\"clientAddress\":\"127.0.0.1\","
                + "\"client_id\":\"court\"}";
        String signed = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key.getPrivate());
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64(s.sign());
    }

    private static String jwks(RSAPublicKey key) {
        return "{\"keys\":[{\"kid\":\"bench-key\",\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
                + b64(unsigned(key.getModulus())) + "\",\"e\":\"" + b64(unsigned(key.getPublicExponent())) + "\"}]}";
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
