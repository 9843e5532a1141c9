package cxg.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cxg.pki.DevPki;
import cxg.pki.keycloak.TestKeycloak;

/** Token checks against tokens issued by the real Keycloak (realm cxg) of the test run. */
class TokenVerifierTest {

    private static TestKeycloak keycloak;
    private static HttpsJwksSource jwks;
    private static X509Certificate courtCert;
    private static X509Certificate railwayCert;
    private static String courtToken;

    @BeforeAll
    static void keycloak() throws Exception {
        keycloak = TestKeycloak.get();
        DevPki pki = DevPki.open(keycloak.pkiDir());
        courtCert = pki.certificate("court");
        railwayCert = pki.certificate("railway");
        jwks = new HttpsJwksSource(HttpsJwksSource.keycloakJwks(keycloak.issuer()), trustDevCa());
        courtToken = keycloak.token("court");
    }

    @Test
    void acceptsAMembersTokenOverItsOwnCertificateWithItsRealmRole() {
        TokenCheck check = verifier(Clock.systemUTC()).verify("Bearer " + courtToken, courtCert, "court");
        assertTrue(check.isAccepted(), () -> "refused: " + check.problem());
        assertEquals("court", check.token().clientId());
        assertEquals(Set.of("agency"), check.token().roles());
    }

    @Test
    void givesEachDemoMemberItsRole() throws Exception {
        DevPki pki = DevPki.open(keycloak.pkiDir());
        TokenVerifier verifier = verifier(Clock.systemUTC());
        for (String[] m : new String[][] {{"alpha-credit", "platform"}, {"auditor", "auditor"}}) {
            TokenCheck check = verifier.verify("Bearer " + keycloak.token(m[0]), pki.certificate(m[0]), m[0]);
            assertTrue(check.isAccepted(), () -> m[0] + " refused: " + check.problem());
            assertEquals(Set.of(m[1]), check.token().roles());
        }
    }

    @Test
    void refusesACallWithoutToken() {
        assertRefused(verifier(Clock.systemUTC()).verify((String) null, courtCert, "court"), "no bearer token");
        assertRefused(verifier(Clock.systemUTC()).verify("Basic Y291cnQ6eA==", courtCert, "court"), "not a bearer token");
        assertRefused(verifier(Clock.systemUTC()).verify("Bearer not-a-jwt", courtCert, "court"), "not a signed JWT");
    }

    @Test
    void refusesATokenAfterItsLifetime() {
        // Keycloak issues 5-minute tokens; the same token seen ten minutes later is refused.
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofMinutes(10)), ZoneOffset.UTC);
        assertRefused(verifier(later).verify("Bearer " + courtToken, courtCert, "court"), "token expired");
    }

    @Test
    void refusesATokenForAnotherAudience() {
        String clientId = "other-app-" + UUID.randomUUID().toString().substring(0, 8);
        var created = keycloak.admin("POST", "/clients", "{\"clientId\":\"" + clientId + "\",\"secret\":\"s3cret\","
                + "\"publicClient\":false,\"serviceAccountsEnabled\":true,\"standardFlowEnabled\":false,"
                + "\"attributes\":{\"tls.client.certificate.bound.access.tokens\":\"true\"},\"defaultClientScopes\":[],"
                + "\"protocolMappers\":[{\"name\":\"aud\",\"protocol\":\"openid-connect\",\"protocolMapper\":\"oidc-audience-mapper\","
                + "\"config\":{\"included.custom.audience\":\"billing\",\"access.token.claim\":\"true\"}}]}");
        assertEquals(201, created.statusCode(), created::body);
        String token = keycloak.token(clientId, "s3cret", keycloak.pkiDir().resolve("court.p12"), "court");
        assertRefused(verifier(Clock.systemUTC()).verify("Bearer " + token, courtCert, "court"),
                "not meant for audience cxg-gateway");
    }

    @Test
    void refusesATokenSignedByAForeignKey() throws Exception {
        String[] parts = courtToken.split("\\.");
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        PrivateKey foreign = rsa.generateKeyPair().getPrivate();
        // same header (so the key id is one the realm has) and the same claims, signed by another key
        String forged = parts[0] + "." + parts[1] + "." + sign(parts[0] + "." + parts[1], foreign);
        assertRefused(verifier(Clock.systemUTC()).verify("Bearer " + forged, courtCert, "court"),
                "token signature is invalid");

        String otherKid = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"made-up\"}");
        String unknownKey = otherKid + "." + parts[1] + "." + sign(otherKid + "." + parts[1], foreign);
        assertRefused(verifier(Clock.systemUTC()).verify("Bearer " + unknownKey, courtCert, "court"),
                "key realm cxg does not have");

        String none = b64("{\"alg\":\"none\"}") + "." + parts[1] + ".";
        assertRefused(verifier(Clock.systemUTC()).verify("Bearer " + none, courtCert, "court"),
                "algorithm none is not accepted");
    }

    @Test
    void refusesOneMembersTokenOverAnotherMembersCertificate() {
        assertRefused(verifier(Clock.systemUTC()).verify("Bearer " + courtToken, railwayCert, "railway"),
                "token is bound to another certificate");
    }

    @Test
    void refusesATokenIssuedToAnotherClientThanTheCertificatesMember() {
        assertRefused(verifier(Clock.systemUTC()).verify("Bearer " + courtToken, courtCert, "railway"),
                "issued to client court, not to member railway");
    }

    @Test
    void refusesATokenFromAnotherIssuer() {
        TokenVerifier otherRealm = new TokenVerifier(keycloak.baseUrl() + "/realms/other", "cxg-gateway",
                new JwksKeys(jwks, Clock.systemUTC(), Duration.ZERO), Clock.systemUTC(), Duration.ofSeconds(5));
        assertRefused(otherRealm.verify("Bearer " + courtToken, courtCert, "court"), "not issued by realm cxg");
    }

    @Test
    void followsAKeyRotationWithoutRestart() {
        TokenVerifier verifier = verifier(Clock.systemUTC());
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted());
        String kidBefore = kid(courtToken);

        keycloak.rotateSigningKey();
        String rotated = keycloak.token("court");
        assertNotEquals(kidBefore, kid(rotated), "Keycloak signs with the new key");

        TokenCheck check = verifier.verify("Bearer " + rotated, courtCert, "court");
        assertTrue(check.isAccepted(), () -> "refused after rotation: " + check.problem());
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted(),
                "tokens signed before the rotation stay valid");
    }

    @Test
    void keepsVerifyingWithCachedKeysWhileKeycloakIsUnreachable() {
        AtomicBoolean down = new AtomicBoolean(false);
        JwksKeys keys = new JwksKeys(() -> {
            if (down.get()) {
                throw new java.net.ConnectException("Connection refused");
            }
            return jwks.fetch();
        }, Clock.systemUTC(), Duration.ZERO);
        TokenVerifier verifier = new TokenVerifier(keycloak.issuer(), "cxg-gateway", keys, Clock.systemUTC(),
                Duration.ofSeconds(5));
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted());

        down.set(true);
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted(),
                "a token signed with a cached key still verifies");
    }

    @Test
    void remembersAVerifiedTokenButChecksCertificateAndMemberOnEveryCall() {
        TokenVerifier verifier = verifier(Clock.systemUTC());
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted());
        assertEquals(1, verifier.cachedTokens());

        assertRefused(verifier.verify("Bearer " + courtToken, railwayCert, "railway"), "token is bound to another certificate");
        assertRefused(verifier.verify("Bearer " + courtToken, courtCert, "railway"), "issued to client court, not to member railway");
        TokenCheck again = verifier.verify("Bearer " + courtToken, courtCert, "court");
        assertTrue(again.isAccepted());
        assertEquals(Set.of("agency"), again.token().roles());
    }

    @Test
    void findsARememberedTokenOnlyUnderTheWholeTokenWhateverTheSpacesAroundIt() {
        TokenVerifier verifier = verifier(Clock.systemUTC());
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted());

        assertTrue(verifier.verify("Bearer   " + courtToken + " \t", courtCert, "court").isAccepted());
        assertEquals(1, verifier.cachedTokens());
        // one character of the signature changed (not the last, whose low bits may be padding)
        int i = courtToken.length() - 10;
        String altered = courtToken.substring(0, i) + (courtToken.charAt(i) == 'A' ? 'B' : 'A') + courtToken.substring(i + 1);
        assertRefused(verifier.verify("Bearer " + altered, courtCert, "court"), "token signature is invalid");
        assertRefused(verifier.verify("Bearer " + courtToken.substring(1), courtCert, "court"), "not a signed JWT");
        assertEquals(1, verifier.cachedTokens());
    }

    @Test
    void acceptsARepeatedTokenOnlyWithExactlyItsBytesFromTheSameCertificate() {
        TokenVerifier verifier = verifier(Clock.systemUTC());
        byte[] header = ascii("Bearer " + courtToken);
        assertTrue(verifier.verify(header, courtCert, "court").isAccepted());
        assertTrue(verifier.verify(ascii("Bearer " + courtToken), courtCert, "court").isAccepted(), "the same bytes in a new array");

        byte[] lastChanged = header.clone();
        lastChanged[lastChanged.length - 1] ^= 1;
        assertRefused(verifier.verify(lastChanged, courtCert, "court"), "token");
        byte[] longer = ascii("Bearer " + courtToken + "A");
        assertRefused(verifier.verify(longer, courtCert, "court"), "token");
        byte[] shorter = ascii("Bearer " + courtToken.substring(0, courtToken.length() - 1));
        assertRefused(verifier.verify(shorter, courtCert, "court"), "token");
        assertRefused(verifier.verify(header, railwayCert, "railway"), "token is bound to another certificate");
        assertRefused(verifier.verify(header, courtCert, "railway"), "issued to client court, not to member railway");
        assertTrue(verifier.verify(header, courtCert, "court").isAccepted());
        assertEquals(1, verifier.cachedTokens());
    }

    @Test
    void readsTheHeaderBytesAsAsciiText() {
        TokenVerifier verifier = verifier(Clock.systemUTC());
        assertTrue(verifier.verify(ascii("bEaReR \t" + courtToken + "\r\n "), courtCert, "court").isAccepted());
        assertRefused(verifier.verify(ascii(" \t "), courtCert, "court"), "no bearer token");
        assertRefused(verifier.verify(new byte[0], courtCert, "court"), "no bearer token");
        assertRefused(verifier.verify(ascii("Bearer"), courtCert, "court"), "not a bearer token");
        // a byte outside ASCII is neither blank nor trimmed: it is part of the token, which then is no JWT
        byte[] nonAscii = ascii("Bearer " + courtToken + "x");
        nonAscii[nonAscii.length - 1] = (byte) 0xA0;
        assertRefused(verifier.verify(nonAscii, courtCert, "court"), "not a signed JWT");
        byte[] nonAsciiPrefix = ascii("Bearer " + courtToken);
        nonAsciiPrefix[0] = (byte) ('B' | 0x80);
        assertRefused(verifier.verify(nonAsciiPrefix, courtCert, "court"), "not a bearer token");
    }

    @Test
    void refusesARememberedTokenOnceItExpires() {
        MovableClock clock = new MovableClock(Instant.now());
        TokenVerifier verifier = verifier(clock);
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted());

        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertRefused(verifier.verify("Bearer " + courtToken, courtCert, "court"), "token expired");
        assertEquals(0, verifier.cachedTokens());
    }

    @Test
    void refusesARememberedTokenOnceTheRealmNoLongerListsItsKey() throws Exception {
        AtomicBoolean keyRemoved = new AtomicBoolean(false);
        JwksKeys keys = new JwksKeys(() -> keyRemoved.get() ? "{\"keys\":[]}" : jwks.fetch(), Clock.systemUTC(), Duration.ZERO);
        TokenVerifier verifier = new TokenVerifier(keycloak.issuer(), "cxg-gateway", keys, Clock.systemUTC(), Duration.ofSeconds(5));
        assertTrue(verifier.verify("Bearer " + courtToken, courtCert, "court").isAccepted());

        keyRemoved.set(true);
        // a token with a key id the gateway has not seen makes it fetch the realm's keys again
        String[] parts = courtToken.split("\\.");
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String newKid = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"new-key\"}");
        verifier.verify("Bearer " + newKid + "." + parts[1] + "." + sign(newKid + "." + parts[1], rsa.generateKeyPair().getPrivate()),
                courtCert, "court");

        assertRefused(verifier.verify("Bearer " + courtToken, courtCert, "court"), "key realm cxg does not have");
    }

    @Test
    void remembersAtMostItsCapacityOfTokens() {
        TokenVerifier verifier = new TokenVerifier(keycloak.issuer(), "cxg-gateway",
                new JwksKeys(jwks, Clock.systemUTC(), Duration.ofSeconds(10)), Clock.systemUTC(), Duration.ofSeconds(5), 2);
        for (int i = 0; i < 3; i++) {
            TokenCheck check = verifier.verify("Bearer " + keycloak.token("court"), courtCert, "court");
            assertTrue(check.isAccepted(), () -> "refused: " + check.problem());
            assertTrue(verifier.cachedTokens() <= 2, "cache holds " + verifier.cachedTokens() + " tokens");
        }
    }

    @Test
    void thumbprintIsTheBase64UrlSha256OfTheCertificate() throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(courtCert.getEncoded());
        assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(digest), TokenVerifier.thumbprint(courtCert));
    }

    private static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static TokenVerifier verifier(Clock clock) {
        return new TokenVerifier(keycloak.issuer(), "cxg-gateway",
                new JwksKeys(jwks, Clock.systemUTC(), Duration.ofSeconds(10)), clock, Duration.ofSeconds(5));
    }

    private static byte[] ascii(String header) {
        return header.getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertRefused(TokenCheck check, String expectedProblem) {
        assertTrue(!check.isAccepted() && check.problem().contains(expectedProblem),
                () -> "expected refusal containing \"" + expectedProblem + "\" but got "
                        + (check.isAccepted() ? "accepted" : "\"" + check.problem() + "\""));
    }

    private static String kid(String jwt) {
        String header = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8);
        return header.replaceAll(".*\"kid\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String sign(String signedPart, PrivateKey key) throws Exception {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signedPart.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    }

    private static SSLContext trustDevCa() throws Exception {
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
