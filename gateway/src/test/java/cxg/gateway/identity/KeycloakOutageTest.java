package cxg.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import cxg.pki.DevPki;
import cxg.pki.keycloak.TestKeycloak;

/**
 * Keycloak goes away while the gateway runs, and comes back. The gateway reaches the test run's shared Keycloak
 * through a TCP link of this test's own (TLS passes through it untouched), and the link is cut and restored: to the
 * gateway that is Keycloak stopping and starting again (connections refused), without starting a Keycloak of its own
 * (a minute or more on a busy machine) or stopping the shared one. The connectors' side (a new token request to an
 * unreachable Keycloak fails with one clear message) is covered in the agency connector's MemberTokensTest.
 */
class KeycloakOutageTest {

    @Test
    void tokensKeepVerifyingWithCachedKeysWhileKeycloakIsDownAndKeysAreFetchedAgainOnceItIsBack() throws Exception {
        TestKeycloak keycloak = TestKeycloak.get();
        X509Certificate court = DevPki.open(keycloak.pkiDir()).certificate("court");
        String token = keycloak.token("court");
        Instant[] now = {Instant.now()};
        Clock movable = new Clock() {
            @Override
            public Instant instant() {
                return now[0];
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        try (KeycloakLink link = new KeycloakLink(keycloak.baseUrl())) {
            TokenVerifier verifier = verifier(keycloak, link, movable);
            assertTrue(verifier.verify("Bearer " + token, court, "court").isAccepted());

            link.cut();

            TokenCheck whileDown = verifier.verify("Bearer " + token, court, "court");
            assertTrue(whileDown.isAccepted(), () -> "refused while Keycloak is down: " + whileDown.problem());

            // a key id the gateway never saw cannot be fetched now: refused with the usual answer, not an error
            String[] parts = token.split("\\.");
            String header = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("{\"alg\":\"RS256\",\"kid\":\"after-outage\"}".getBytes(StandardCharsets.UTF_8));
            assertEquals("token is signed with a key realm cxg does not have",
                    verifier.verify("Bearer " + header + "." + parts[1] + "." + signed(header + "." + parts[1]), court, "court")
                            .problem());

            // a gateway started during the outage has no keys yet: the same valid token is refused, not an error
            TokenVerifier startedWhileDown = verifier(keycloak, link, movable);
            assertEquals("token is signed with a key realm cxg does not have",
                    startedWhileDown.verify("Bearer " + token, court, "court").problem());

            link.restore();

            // once Keycloak is back, the keys are fetched on the next call: no restart of the gateway needed
            TokenCheck afterOutage = startedWhileDown.verify("Bearer " + token, court, "court");
            assertTrue(afterOutage.isAccepted(), () -> "refused after Keycloak is back: " + afterOutage.problem());

            now[0] = now[0].plus(Duration.ofMinutes(10));
            assertEquals("token expired", verifier.verify("Bearer " + token, court, "court").problem());
        }
    }

    /** No remembered verifications: every call verifies the signature with the keys fetched through {@code link}. */
    private static TokenVerifier verifier(TestKeycloak keycloak, KeycloakLink link, Clock clock) throws Exception {
        return new TokenVerifier(keycloak.issuer(), "cxg-gateway",
                new JwksKeys(new HttpsJwksSource(link.jwksUri(keycloak), trusting(keycloak)), Clock.systemUTC(), Duration.ZERO),
                clock, Duration.ofSeconds(5), 0);
    }

    /**
     * A loopback TCP port that forwards each connection to Keycloak's HTTPS port byte for byte. {@link #cut()} closes
     * the port and every connection through it (what the gateway sees when Keycloak stops); {@link #restore()} listens
     * on the same port again.
     */
    private static final class KeycloakLink implements AutoCloseable {

        private final InetSocketAddress keycloak;
        private final InetAddress localhost;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final int port;
        private volatile ServerSocket listening;

        KeycloakLink(URI keycloakUrl) throws IOException {
            this.keycloak = new InetSocketAddress(keycloakUrl.getHost(), keycloakUrl.getPort());
            // the JWKS URL names localhost (Keycloak's certificate is for it): listen where localhost resolves
            this.localhost = InetAddress.getByName("localhost");
            this.listening = listen(0);
            this.port = listening.getLocalPort();
        }

        URI jwksUri(TestKeycloak keycloak) {
            URI real = keycloak.jwksUri();
            return URI.create("https://localhost:" + port + real.getRawPath());
        }

        private ServerSocket listen(int onPort) throws IOException {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(localhost, onPort));
            Thread accept = new Thread(() -> accept(server), "keycloak-link-accept");
            accept.setDaemon(true);
            accept.start();
            return server;
        }

        private void accept(ServerSocket server) {
            while (!server.isClosed()) {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket(keycloak.getAddress(), keycloak.getPort());
                    open.add(in);
                    open.add(out);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException closed) {
                    // cut: the port is closed
                }
            }
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException ended) {
                    // one side closed or the link was cut
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "keycloak-link-pump");
            t.setDaemon(true);
            t.start();
        }

        void cut() {
            closeQuietly(listening);
            for (Socket s : open) {
                closeQuietly(s);
            }
            open.clear();
        }

        void restore() throws IOException {
            listening = listen(port);
        }

        @Override
        public void close() {
            cut();
        }

        private static void closeQuietly(Closeable c) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static String signed(String signedPart) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(rsa.generateKeyPair().getPrivate());
        s.update(signedPart.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    }

    private static SSLContext trusting(TestKeycloak keycloak) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keycloak.pkiDir().resolve("truststore.p12"))) {
            trust.load(in, DevPki.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
