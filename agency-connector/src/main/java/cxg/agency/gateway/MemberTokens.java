package cxg.agency.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The member's access tokens from realm cxg: client-credentials grant requested over TLS with the
 * member's certificate, so Keycloak binds each token to it (RFC 8705). A token is cached and renewed
 * when less than a fifth of its lifetime is left; {@link #invalidate()} drops it after the gateway
 * rejected it. Configured by system properties {@code cxg.keycloak.url} (e.g.
 * {@code https://localhost:7843}; absent: no tokens are sent) and {@code cxg.keycloak.client-secret}
 * (default: the dev secret {@code <member>-dev-secret}).
 */
public final class MemberTokens {

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");
    private static final Pattern ERROR = Pattern.compile("\"error_description\"\\s*:\\s*\"([^\"]*)\"");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI tokenEndpoint;
    private final String member;
    private final String secret;
    private final HttpClient http;
    private final Clock clock;
    private String token;
    private Instant renewAt = Instant.MIN;

    MemberTokens(URI tokenEndpoint, String member, String secret, SSLContext tls, Clock clock) {
        this.tokenEndpoint = tokenEndpoint;
        this.member = member;
        this.secret = secret;
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
        this.clock = clock;
    }

    /** Tokens for {@code member} if {@code cxg.keycloak.url} is configured. */
    static Optional<MemberTokens> configured(Path pkiDir, String member) throws CredentialsUnavailableException {
        String url = System.getProperty("cxg.keycloak.url", "");
        if (url.isBlank()) {
            return Optional.empty();
        }
        String secret = System.getProperty("cxg.keycloak.client-secret", member + "-dev-secret");
        URI endpoint = URI.create(url.replaceAll("/+$", "") + "/realms/cxg/protocol/openid-connect/token");
        return Optional.of(new MemberTokens(endpoint, member, secret, tls(pkiDir, member), Clock.systemUTC()));
    }

    /** A valid token, requesting a new one when the cached one is near its end. */
    synchronized String current() throws TokenUnavailableException {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            request();
        }
        return token;
    }

    /** Forgets the cached token (the gateway refused it); the next call requests a fresh one. */
    synchronized void invalidate() {
        token = null;
    }

    private void request() throws TokenUnavailableException {
        String form = "grant_type=client_credentials&client_id=" + enc(member) + "&client_secret=" + enc(secret);
        HttpResponse<String> r;
        Instant asked = clock.instant();
        try {
            r = http.send(HttpRequest.newBuilder(tokenEndpoint).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TokenUnavailableException("Keycloak unreachable at " + tokenEndpoint.getHost() + ":"
                    + tokenEndpoint.getPort() + " (no token for " + member + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenUnavailableException("interrupted while requesting a token");
        }
        Matcher t = ACCESS_TOKEN.matcher(r.body());
        if (r.statusCode() != 200 || !t.find()) {
            Matcher e = ERROR.matcher(r.body());
            throw new TokenUnavailableException("Keycloak refused a token for " + member + " (HTTP " + r.statusCode()
                    + (e.find() ? ": " + e.group(1) : "") + ")");
        }
        Matcher exp = EXPIRES_IN.matcher(r.body());
        long lifetime = exp.find() ? Long.parseLong(exp.group(1)) : 60;
        token = t.group(1);
        renewAt = asked.plusSeconds(lifetime - Math.max(1, lifetime / 5));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Presents {@code <member>.p12} and trusts the dev CA ({@code ca.crt}), which issued Keycloak's certificate. */
    private static SSLContext tls(Path pkiDir, String member) throws CredentialsUnavailableException {
        Path p12 = pkiDir.resolve(member + ".p12");
        try (InputStream keyIn = Files.newInputStream(p12); InputStream caIn = Files.newInputStream(pkiDir.resolve("ca.crt"))) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(keyIn, "changeit".toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("cxg-ca", CertificateFactory.getInstance("X.509").generateCertificate(caIn));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new CredentialsUnavailableException("member",
                    "cannot use " + p12 + " to request tokens: " + e.getClass().getSimpleName());
        }
    }

    /** No token could be obtained; the message is fit for the user. */
    static final class TokenUnavailableException extends Exception {
        TokenUnavailableException(String message) {
            super(message);
        }
    }
}
