package cxg.gateway.identity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Builds the token checks from configuration:
 * {@code cxg.identity.issuer} (realm cxg's issuer, e.g. {@code https://localhost:7843/realms/cxg}; unset
 * turns token checks off, with a warning), {@code cxg.identity.audience} (default {@code cxg-gateway}).
 * Keycloak's HTTPS certificate is trusted through the dev CA in {@code cxg.pki.dir}.
 */
@Singleton
final class IdentityConfiguration {

    private static final Logger LOG = Logger.getLogger(IdentityConfiguration.class);
    /** After a JWKS fetch that did not have a token's key id, wait this long before asking again. */
    private static final Duration MIN_REFETCH = Duration.ofSeconds(10);
    /** Tolerated clock difference between Keycloak and the gateway. */
    private static final Duration LEEWAY = Duration.ofSeconds(5);

    /** Built at start-up: lazily, the first call's event loop built the trust store (seconds on a busy start). */
    @Produces
    @Singleton
    @Startup
    TokenChecks tokenChecks(@ConfigProperty(name = "cxg.identity.issuer") Optional<String> issuer,
                            @ConfigProperty(name = "cxg.identity.audience", defaultValue = "cxg-gateway") String audience,
                            @ConfigProperty(name = "cxg.pki.dir", defaultValue = ".cxg/pki") Path pkiDir) {
        if (issuer.isEmpty() || issuer.get().isBlank()) {
            LOG.warn("cxg.identity.issuer is not set: bearer tokens are NOT checked (certificate only)");
            return new TokenChecks(Optional.empty());
        }
        JwksKeys keys = new JwksKeys(new HttpsJwksSource(HttpsJwksSource.keycloakJwks(issuer.get()), trusting(pkiDir)),
                Clock.systemUTC(), MIN_REFETCH);
        LOG.infof("bearer tokens from %s (audience %s) required on every call", issuer.get(), audience);
        return new TokenChecks(Optional.of(new TokenVerifier(issuer.get(), audience, keys, Clock.systemUTC(), LEEWAY)));
    }

    private static SSLContext trusting(Path pkiDir) {
        Path ca = pkiDir.resolve("ca.crt");
        try (InputStream in = Files.newInputStream(ca)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("cxg-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the CA certificate " + ca + " to trust Keycloak", e);
        }
    }
}
