package cxg.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
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

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import cxg.pki.DevPki;
import cxg.pki.keycloak.TestKeycloak;

/**
 * Keycloak goes away while the gateway runs. Uses a private Keycloak that this test stops (the test run's
 * shared one must stay up), so it is the one slow test of its kind. The connectors' side (a new token
 * request to an unreachable Keycloak fails with one clear message) is covered in the agency connector's
 * MemberTokensTest.
 */
class KeycloakOutageTest {

    @Test
    void tokensSignedWithCachedKeysKeepVerifyingUntilTheyExpireWhileKeycloakIsDown() throws Exception {
        TestKeycloak keycloak = TestKeycloak.startPrivate();
        try {
            X509Certificate court = DevPki.open(keycloak.pkiDir()).certificate("court");
            String token = keycloak.token("court");
            Clock clock = Clock.systemUTC();
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
            // no remembered verifications: every call below verifies the signature with the cached keys
            TokenVerifier verifier = new TokenVerifier(keycloak.issuer(), "cxg-gateway",
                    new JwksKeys(new HttpsJwksSource(keycloak.jwksUri(), trusting(keycloak)), clock, Duration.ZERO),
                    movable, Duration.ofSeconds(5), 0);
            assertTrue(verifier.verify("Bearer " + token, court, "court").isAccepted());

            keycloak.stop();

            TokenCheck whileDown = verifier.verify("Bearer " + token, court, "court");
            assertTrue(whileDown.isAccepted(), () -> "refused while Keycloak is down: " + whileDown.problem());

            // a key id the gateway never saw cannot be fetched now: refused with the usual answer, not an error
            String[] parts = token.split("\\.");
            String header = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("{\"alg\":\"RS256\",\"kid\":\"after-outage\"}".getBytes(StandardCharsets.UTF_8));
            assertEquals("token is signed with a key realm cxg does not have",
                    verifier.verify("Bearer " + header + "." + parts[1] + "." + signed(header + "." + parts[1]), court, "court")
                            .problem());

            IllegalStateException noToken = assertThrows(IllegalStateException.class, () -> keycloak.token("court"));
            assertTrue(noToken.getMessage().startsWith("Keycloak unreachable at "), noToken.getMessage());

            now[0] = now[0].plus(Duration.ofMinutes(10));
            assertEquals("token expired", verifier.verify("Bearer " + token, court, "court").problem());
        } finally {
            keycloak.stop();
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
