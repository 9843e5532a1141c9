package cxg.gateway.identity;

import java.util.Optional;

/** The configured token verifier; empty when the gateway runs without Keycloak (certificate only). */
public record TokenChecks(Optional<TokenVerifier> verifier) {
}
