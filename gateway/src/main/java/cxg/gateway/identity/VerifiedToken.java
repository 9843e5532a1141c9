package cxg.gateway.identity;

import java.time.Instant;
import java.util.Set;

/**
 * What a verified access token says about the caller: the Keycloak client that acts ({@code azp},
 * equal to the member whose certificate connected), its realm roles, and when the token expires.
 */
public record VerifiedToken(String clientId, Set<String> roles, Instant expiresAt) {

    public VerifiedToken {
        roles = Set.copyOf(roles);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
