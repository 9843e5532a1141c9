package cxg.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.pki.DevPki;
import cxg.v1.PlatformStatus;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
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
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

/** The gateway's gRPC port as callers meet it: real TLS handshakes with certificates from the dev PKI. */
@QuarkusTest
@QuarkusTestResource(value = GatewayTestResource.class, restrictToAnnotatedClass = true)
class MutualTlsGatewayTest {

    @Inject
    AuditLog auditLog;

    private static final ScoreQuery COURT_QUERY = ScoreQuery.newBuilder()
            .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
            .setPurpose("court-enforcement")
            .build();

    /** Calls the gateway presenting {@code member}'s certificate from {@code dir}, or none when member is null. */
    private static ScoreReport call(Path dir, String member, ScoreQuery query) throws Exception {
        ManagedChannel channel = channel(dir, member);
        try {
            return QueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).queryScore(query);
        } finally {
            channel.shutdownNow();
        }
    }

    private static ManagedChannel channel(Path dir, String member) throws Exception {
        SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(GatewayTestResource.pki.resolve("ca.crt").toFile());
        if (member != null) {
            tls.keyManager(presentingAlways(dir, member));
        }
        return NettyChannelBuilder.forAddress("127.0.0.1", GatewayTestResource.grpcPort).sslContext(tls.build()).build();
    }

    @Test
    void memberWithItsCertificateGetsAnswersFromBothPlatforms() throws Exception {
        ScoreReport report = call(GatewayTestResource.pki, "court", COURT_QUERY);

        assertEquals(2, report.getResultsCount());
        assertEquals("alpha-credit", report.getResults(0).getPlatform());
        assertEquals(PlatformStatus.OK, report.getResults(0).getStatus());
        assertEquals(712, report.getResults(0).getScore().getOriginalValue());
        assertEquals(PlatformStatus.NO_RATING, report.getResults(1).getStatus());
        assertTrue(report.getDecision().getAllowed());
        assertTrue(!report.getRequestId().isEmpty());
    }

    @Test
    void restrictionChecksAreAnsweredToTheGrantedAgencyAndRefusedToOthers() throws Exception {
        RestrictionCheck check = RestrictionCheck.newBuilder().setSubject(COURT_QUERY.getSubject())
                .setPurpose("travel-restriction-check").build();
        ManagedChannel railway = channel(GatewayTestResource.pki, "railway");
        ManagedChannel court = channel(GatewayTestResource.pki, "court");
        try {
            RestrictionAnswer answer = QueryServiceGrpc.newBlockingStub(railway).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .checkRestriction(check);
            assertFalse(answer.getRestricted(), "nothing was submitted for this subject");
            assertFalse(answer.getRequestId().isEmpty());

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> QueryServiceGrpc.newBlockingStub(court)
                    .withDeadlineAfter(60, TimeUnit.SECONDS).checkRestriction(check));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        } finally {
            railway.shutdownNow();
            court.shutdownNow();
        }
    }

    @Test
    void clientWithoutCertificateNeverCompletesTheHandshake() throws Exception {
        assertThrows(IOException.class, () -> handshake(null, null));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(null, null, COURT_QUERY));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void certificateFromAForeignCaIsRefusedInTheHandshake() throws Exception {
        assertThrows(IOException.class, () -> handshake(GatewayTestResource.foreign, "court"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call(GatewayTestResource.foreign, "court", COURT_QUERY));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void memberCertificateCompletesTheSameHandshake() {
        assertDoesNotThrow(() -> handshake(GatewayTestResource.pki, "court"));
    }

    @Test
    void revokedCertificateIsRefusedAtTheHandshakeAndOnConnectionsOpenedBeforeWithoutARestart() throws Exception {
        assertDoesNotThrow(() -> handshake(GatewayTestResource.pki, "auditor"));
        ManagedChannel openedBefore = channel(GatewayTestResource.pki, "auditor");
        try {
            var stub = QueryServiceGrpc.newBlockingStub(openedBefore).withDeadlineAfter(60, TimeUnit.SECONDS);
            StatusRuntimeException beforeRevocation = assertThrows(StatusRuntimeException.class, () -> stub.queryScore(COURT_QUERY));
            assertEquals(Status.Code.PERMISSION_DENIED, beforeRevocation.getStatus().getCode(), "identified, then denied by policy");

            DevPki.open(GatewayTestResource.pki).revoke("auditor");

            assertThrows(IOException.class, () -> handshake(GatewayTestResource.pki, "auditor"));
            assertDoesNotThrow(() -> handshake(GatewayTestResource.pki, "court"));
            long before = auditLog.size();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.queryScore(COURT_QUERY));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().endsWith(" is revoked"), e.getStatus().getDescription());
            assertTrue(auditLog.entries(before, auditLog.size()).stream().map(AuditEntry::fromBytes)
                    .anyMatch(a -> a.member().equals("CN=auditor,OU=auditor,O=cxg-demo") && a.rule().equals("certificate-revoked")));
        } finally {
            openedBefore.shutdownNow();
        }
    }

    @Test
    void certificateOfOurCaThatBelongsToNoMemberIsUnauthenticatedAndAudited() {
        long before = auditLog.size();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call(GatewayTestResource.pki, "stranger", COURT_QUERY));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals("certificate subject CN=stranger,OU=agency,O=cxg-demo is not a member", e.getStatus().getDescription());

        AuditEntry entry = auditLog.entries(before, auditLog.size()).stream().map(AuditEntry::fromBytes)
                .filter(a -> a.member().equals("CN=stranger,OU=agency,O=cxg-demo")).findFirst().orElseThrow();
        assertEquals("UNAUTHENTICATED", entry.outcome());
        assertEquals("unknown-member", entry.rule());
    }

    @Test
    void invalidSubjectIsRefusedNamingTheField() {
        ScoreQuery bad = COURT_QUERY.toBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("110105194912310021")).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(GatewayTestResource.pki, "court", bad));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("subject.value: wrong check character", e.getStatus().getDescription());
        assertEquals("subject.value", e.getTrailers().get(StatusMapping.FIELD));
    }

    @Test
    void purposeWithoutAgreementIsDeniedNamingTheRule() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call(GatewayTestResource.pki, "railway", COURT_QUERY));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        String rule = e.getTrailers().get(StatusMapping.RULE);
        assertTrue(rule != null && e.getStatus().getDescription().startsWith("denied by " + rule + ": "),
                e.getStatus().getDescription());
    }

    /**
     * A plain TLS 1.2 handshake with the gateway's gRPC port (1.2 so that a refused client
     * certificate fails the handshake itself rather than the first read). A refusal shows as an
     * SSLException or, when the gateway's alert and close win the race, a broken connection.
     */
    private static void handshake(Path dir, String member) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        try (InputStream in = Files.newInputStream(GatewayTestResource.pki.resolve("ca.crt"))) {
            anchors.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        tmf.init(anchors);
        context.init(member == null ? null : new KeyManager[] {presentingAlways(dir, member)}, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", GatewayTestResource.grpcPort)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setSoTimeout(30_000);
            socket.startHandshake();
        }
    }

    /**
     * Presents {@code member}'s certificate whatever CAs the server names, so that a foreign
     * certificate really reaches the gateway instead of being withheld by the client.
     */
    private static X509ExtendedKeyManager presentingAlways(Path dir, String member) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(member + ".p12"))) {
            store.load(in, DevPki.PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(store, DevPki.PASSWORD.toCharArray());
        X509KeyManager keys = (X509KeyManager) kmf.getKeyManagers()[0];
        String chosen = member;
        return new X509ExtendedKeyManager() {
            @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return new String[] {chosen}; }
            @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return chosen; }
            @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) { return chosen; }
            @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }
            @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return null; }
            @Override public X509Certificate[] getCertificateChain(String alias) { return keys.getCertificateChain(alias); }
            @Override public PrivateKey getPrivateKey(String alias) { return keys.getPrivateKey(alias); }
        };
    }
}
