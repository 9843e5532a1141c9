package cxg.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cxg.gateway.audit.AuditEntry;
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
import cxg.pki.keycloak.TestKeycloak;
import cxg.v1.AuditCheckpoint;
import cxg.v1.AuditServiceGrpc;
import cxg.v1.CheckpointRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.netty.handler.ssl.ClientAuth;

/**
 * The audit service's door: the gateway's certificate and token interceptors in front of an audit service
 * stand-in (which answers an empty checkpoint), over mutual TLS with real Keycloak tokens. The stand-in keeps
 * this test about who may call, independent of the audit service's own behaviour.
 */
class AuditServiceRoleTest {

    private static TestKeycloak keycloak;
    private static Path dir;
    private static AuditLog auditLog;
    private static Server server;

    @BeforeAll
    static void start() throws Exception {
        keycloak = TestKeycloak.get();
        Path pki = keycloak.pkiDir();
        dir = Files.createTempDirectory("cxg-audit-role-test");
        PolicySet policy = new PolicyLoader(Clock.systemUTC(), QuotaLimiter.create())
                .load(TestPolicies.copyTo(dir.resolve("policies"))).policySet().orElseThrow();
        auditLog = AuditLog.open(DirectoryLogStore.open(dir.resolve("audit")),
                AuditKeys.loadOrCreateSigner(dir.resolve("signing.key"), "test/cxg-audit"), AuditLog.Options.defaults("test/cxg-audit"));
        AuditedRefusals refusals = new AuditedRefusals(new AuditRecorder(auditLog,
                SubjectHasher.loadOrCreate(dir.resolve("subject.key")), Clock.systemUTC()));
        TokenVerifier verifier = new TokenVerifier(keycloak.issuer(), "cxg-gateway", new JwksKeys(
                new HttpsJwksSource(keycloak.jwksUri(), trustDevCa(pki)),
                Clock.systemUTC(), Duration.ofSeconds(10)), Clock.systemUTC(), Duration.ofSeconds(5));
        ServerServiceDefinition auditStandIn = ServerServiceDefinition.builder(AuditServiceGrpc.SERVICE_NAME)
                .addMethod(AuditServiceGrpc.getLatestCheckpointMethod(), ServerCalls.asyncUnaryCall((request, out) -> {
                    out.onNext(AuditCheckpoint.getDefaultInstance());
                    out.onCompleted();
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.forServer(pki.resolve("gateway.crt").toFile(), pki.resolve("gateway.key").toFile())
                        .trustManager(pki.resolve("ca.crt").toFile()).clientAuth(ClientAuth.REQUIRE).build())
                .addService(ServerInterceptors.intercept(auditStandIn,
                        new TokenInterceptor(new TokenChecks(Optional.of(verifier)), refusals),
                        new CallerIdentityInterceptor(() -> policy, GatewayTls.load(pki, "gateway", DevPki.PASSWORD), refusals)))
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        auditLog.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static SSLContext trustDevCa(Path pki) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.resolve("truststore.p12"))) {
            trust.load(in, DevPki.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static AuditCheckpoint latestCheckpoint(String member) throws Exception {
        Path pki = keycloak.pkiDir();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(pki.resolve("ca.crt").toFile())
                        .keyManager(pki.resolve(member + ".crt").toFile(), pki.resolve(member + ".key").toFile()).build())
                .build();
        try {
            Metadata headers = new Metadata();
            headers.put(TokenInterceptor.AUTHORIZATION, ("Bearer " + keycloak.token(member)).getBytes(StandardCharsets.US_ASCII));
            return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .latestCheckpoint(CheckpointRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void auditorReachesTheAuditService() throws Exception {
        assertEquals(AuditCheckpoint.getDefaultInstance(), latestCheckpoint("auditor"));
    }

    @Test
    void platformTokenOnTheAuditServiceIsDeniedAndAudited() {
        long before = auditLog.size();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> latestCheckpoint("alpha-credit"));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals("denied by role-separation: only roles agency or auditor may call cxg.v1.AuditService; "
                + "member alpha-credit has roles [platform]", e.getStatus().getDescription());

        AuditEntry entry = AuditEntry.fromBytes(auditLog.entry(before));
        assertEquals("alpha-credit", entry.member());
        assertEquals("LatestCheckpoint", entry.method());
        assertEquals("PERMISSION_DENIED", entry.outcome());
        assertEquals("role-separation", entry.rule());
    }
}
