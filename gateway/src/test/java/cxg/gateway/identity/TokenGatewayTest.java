package cxg.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.PlatformStatus;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Every call needs the member's certificate AND a token from the real Keycloak bound to it, with the right role. */
@QuarkusTest
@QuarkusTestResource(value = KeycloakGatewayTestResource.class, restrictToAnnotatedClass = true)
class TokenGatewayTest {

    @Inject
    AuditLog auditLog;

    private static final ScoreQuery COURT_QUERY = ScoreQuery.newBuilder()
            .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
            .setPurpose("court-enforcement")
            .build();

    /** Queries the gateway over mTLS with {@code member}'s certificate, sending {@code token} if not null. */
    private static ScoreReport query(String member, String token) {
        var pki = KeycloakGatewayTestResource.keycloak.pkiDir();
        ManagedChannel channel;
        try {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", KeycloakGatewayTestResource.grpcPort)
                    .sslContext(GrpcSslContexts.forClient()
                            .trustManager(pki.resolve("ca.crt").toFile())
                            .keyManager(pki.resolve(member + ".crt").toFile(), pki.resolve(member + ".key").toFile())
                            .build())
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        try {
            var stub = QueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            if (token != null) {
                Metadata headers = new Metadata();
                headers.put(TokenInterceptor.AUTHORIZATION, ("Bearer " + token).getBytes(StandardCharsets.US_ASCII));
                stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            }
            return stub.queryScore(COURT_QUERY);
        } finally {
            channel.shutdownNow();
        }
    }

    private static String token(String member) {
        return KeycloakGatewayTestResource.keycloak.token(member);
    }

    private static StatusRuntimeException refused(String member, String token) {
        return assertThrows(StatusRuntimeException.class, () -> query(member, token));
    }

    @Test
    void agencyWithItsCertificateAndItsTokenGetsItsReport() {
        ScoreReport report = query("court", token("court"));
        assertEquals(2, report.getResultsCount());
        assertEquals(PlatformStatus.OK, report.getResults(0).getStatus());
    }

    @Test
    void callWithoutTokenIsUnauthenticated() {
        StatusRuntimeException e = refused("court", null);
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals("no bearer token (send header authorization: Bearer <token from realm cxg>)", e.getStatus().getDescription());
    }

    @Test
    void oneMembersTokenOverAnotherMembersCertificateIsUnauthenticated() {
        StatusRuntimeException e = refused("railway", token("court"));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals("token is bound to another certificate", e.getStatus().getDescription());
    }

    @Test
    void tokenSignedByAForeignKeyIsUnauthenticated() throws Exception {
        String[] parts = token("court").split("\\.");
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(rsa.generateKeyPair().getPrivate());
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        String forged = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());

        StatusRuntimeException e = refused("court", forged);
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals("token signature is invalid", e.getStatus().getDescription());
    }

    @Test
    void refusedCallLeavesAnAuditEntryNamingTheMemberAndTheRule() {
        long before = auditLog.size();
        refused("railway", token("court"));

        // the refusal is answered only once its entry is durable
        AuditEntry entry = auditLog.entries(before, auditLog.size()).stream().map(AuditEntry::fromBytes)
                .filter(a -> a.member().equals("railway")).findFirst().orElseThrow();
        assertEquals("cxg.v1.QueryService", entry.service());
        assertEquals("QueryScore", entry.method());
        assertEquals("UNAUTHENTICATED", entry.outcome());
        assertEquals("token-binding", entry.rule());
        assertEquals(Boolean.FALSE, entry.allowed());
    }

    @Test
    void auditorMayNotQueryScores() {
        StatusRuntimeException e = refused("auditor", token("auditor"));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals("denied by role-separation: only role agency may call cxg.v1.QueryService; member auditor has roles [auditor]",
                e.getStatus().getDescription());
        assertEquals("role-separation", e.getTrailers().get(StatusMapping.RULE));
    }

    @Test
    void platformMayNotQueryScores() {
        StatusRuntimeException e = refused("alpha-credit", token("alpha-credit"));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals("denied by role-separation: only role agency may call cxg.v1.QueryService; member alpha-credit has roles [platform]",
                e.getStatus().getDescription());
    }
}
