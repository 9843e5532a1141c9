package cxg.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.pki.DevPki;
import io.grpc.netty.GrpcSslContexts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's TLS runs on BoringSSL (netty-tcnative) on both of its sides, and the engine still
 * asks the gateway's own trust managers: member CA only, revocations from {@code ca.crl}, client
 * certificate required. Real handshakes, in memory.
 */
class GatewayTlsEngineTest {

    @TempDir
    Path dir;
    GatewayTls tls;

    @BeforeEach
    void setUp() {
        DevPki.init(dir, false);
        tls = GatewayTls.load(dir, "gateway", DevPki.PASSWORD);
    }

    @Test
    void warnsAtStartOfTheGatewaysCertificateExpiringWithinThirtyDays() throws Exception {
        Path crt = dir.resolve("gateway.crt");
        Instant notAfter = DevPki.open(dir).certificate("gateway").getNotAfter().toInstant();

        assertEquals(List.of(), tls.expiryWarnings(notAfter.minus(Duration.ofDays(31))));
        assertEquals(List.of(crt + " expires at " + notAfter + ", in 9 days: renew it before then"),
                tls.expiryWarnings(notAfter.minus(Duration.ofDays(10)).plusSeconds(1)));
    }

    @Test
    void warnsOfAP12CertificateExpiringWithinThirtyDaysToo() throws Exception {
        Instant notAfter = DevPki.open(dir).certificate("gateway").getNotAfter().toInstant();
        Files.delete(dir.resolve("gateway.crt"));
        Files.delete(dir.resolve("gateway.key"));
        GatewayTls fromP12 = GatewayTls.load(dir, "gateway", DevPki.PASSWORD);

        assertEquals(List.of(dir.resolve("gateway.p12") + "'s certificate expires at " + notAfter + ", in 9 days: renew it before then"),
                fromP12.expiryWarnings(notAfter.minus(Duration.ofDays(10)).plusSeconds(1)));
    }

    @Test
    void bothSidesOfTheGatewaysTlsRunOnBoringSsl() {
        assertTrue(OpenSsl.isAvailable(), () -> "netty-tcnative did not load: " + OpenSsl.unavailabilityCause());
        assertInstanceOf(OpenSslContext.class, tls.serverContext());
        assertInstanceOf(OpenSslContext.class, tls.clientContext("CN=alpha-credit,OU=platform,O=cxg-demo"));
        assertEquals("OpenSSL (BoringSSL)", GatewayTls.providerOf(tls.serverContext()));
    }

    @Test
    void memberCertificateCompletesTheHandshakeAndIsSeenByTheGateway() throws Exception {
        SSLEngine server = tls.serverContext().newEngine(ByteBufAllocator.DEFAULT);
        handshake(member("court").newEngine(ByteBufAllocator.DEFAULT), server);
        X509Certificate peer = (X509Certificate) server.getSession().getPeerCertificates()[0];
        assertEquals("CN=court,OU=agency,O=cxg-demo", peer.getSubjectX500Principal().getName());
    }

    @Test
    void revokedCertificateIsRefusedByTheBoringSslEngine() throws Exception {
        DevPki.open(dir).revoke("court");
        SSLEngine server = tls.serverContext().newEngine(ByteBufAllocator.DEFAULT);
        assertThrows(SSLException.class, () -> handshake(member("court").newEngine(ByteBufAllocator.DEFAULT), server));
    }

    @Test
    void fanOutClientRefusesAServerWithAnotherSubject() throws Exception {
        SSLEngine server = tls.serverContext().newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine client = tls.clientContext("CN=alpha-credit,OU=platform,O=cxg-demo").newEngine(ByteBufAllocator.DEFAULT);
        assertThrows(SSLException.class, () -> handshake(client, server));
    }

    private SslContext member(String name) throws SSLException {
        return GrpcSslContexts.forClient()
                .keyManager(dir.resolve(name + ".crt").toFile(), dir.resolve(name + ".key").toFile())
                .trustManager(dir.resolve("ca.crt").toFile())
                .build();
    }

    /** Runs both engines' handshakes against each other; throws what either engine throws. */
    private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        client.setUseClientMode(true);
        server.setUseClientMode(false);
        int size = 64 * 1024;
        ByteBuffer toServer = ByteBuffer.allocate(size);
        ByteBuffer toClient = ByteBuffer.allocate(size);
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer sink = ByteBuffer.allocate(size);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            if (done(client) && done(server)) {
                return;
            }
            step(client, empty, toServer, toClient, sink);
            step(server, empty, toClient, toServer, sink);
        }
        throw new SSLException("handshake did not finish");
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus s = engine.getHandshakeStatus();
        return s == HandshakeStatus.FINISHED || s == HandshakeStatus.NOT_HANDSHAKING;
    }

    /** One engine: run delegated tasks, consume what the peer sent, send what it has, until it waits for the peer. */
    private static void step(SSLEngine engine, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer sink)
            throws SSLException {
        in.flip();
        for (int i = 0; i < 100; i++) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                runTasks(engine);
            } else if (status == HandshakeStatus.NEED_WRAP) {
                engine.wrap(empty, out);
            } else if (status == HandshakeStatus.NEED_UNWRAP || status == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                SSLEngineResult result = engine.unwrap(in, sink);
                sink.clear();
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                        || result.bytesConsumed() == 0 && result.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                    break;
                }
            } else {
                break;
            }
        }
        in.compact();
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
