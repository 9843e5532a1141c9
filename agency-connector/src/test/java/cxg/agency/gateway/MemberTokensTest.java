package cxg.agency.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import cxg.pki.keycloak.TestKeycloak;

/** The connector's tokens from the real Keycloak of the test run, bound to the member's certificate. */
class MemberTokensTest {

    private final TestKeycloak keycloak = TestKeycloak.get();

    @AfterEach
    void clear() {
        System.clearProperty("cxg.keycloak.url");
        System.clearProperty("cxg.keycloak.client-secret");
    }

    private MemberTokens tokensFor(String member) throws Exception {
        System.setProperty("cxg.keycloak.url", keycloak.baseUrl().toString());
        return MemberTokens.configured(keycloak.pkiDir(), member).orElseThrow();
    }

    @Test
    void obtainsACertificateBoundTokenOnceAndReusesIt() throws Exception {
        MemberTokens tokens = tokensFor("court");
        String first = tokens.current();
        String claims = new String(Base64.getUrlDecoder().decode(first.split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"azp\":\"court\""), claims);
        assertTrue(claims.contains("\"x5t#S256\""), "bound to the certificate: " + claims);
        assertEquals(first, tokens.current(), "a fresh token is reused, not requested per call");

        tokens.invalidate();
        assertNotEquals(first, tokens.current(), "after a rejection the next call gets a new token");
    }

    @Test
    void sendsNoTokensWhenNoKeycloakIsConfigured() throws Exception {
        assertTrue(MemberTokens.configured(keycloak.pkiDir(), "court").isEmpty());
    }

    @Test
    void wrongSecretFailsClearly() throws Exception {
        System.setProperty("cxg.keycloak.client-secret", "wrong");
        MemberTokens tokens = tokensFor("court");
        var e = assertThrows(MemberTokens.TokenUnavailableException.class, tokens::current);
        assertTrue(e.getMessage().startsWith("Keycloak refused a token for court (HTTP 401"), e.getMessage());
    }

    @Test
    void unreachableKeycloakFailsClearly() throws Exception {
        System.setProperty("cxg.keycloak.url", "https://localhost:1");
        MemberTokens tokens = MemberTokens.configured(keycloak.pkiDir(), "court").orElseThrow();
        var e = assertThrows(MemberTokens.TokenUnavailableException.class, tokens::current);
        assertEquals("Keycloak unreachable at localhost:1 (no token for court)", e.getMessage());
    }
}
