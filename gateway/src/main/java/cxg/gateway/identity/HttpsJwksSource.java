package cxg.gateway.identity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import javax.net.ssl.SSLContext;

/** Fetches the realm's JWKS over HTTPS (Keycloak's server certificate comes from the dev CA). */
public final class HttpsJwksSource implements JwksKeys.Source {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI jwksUri;
    private final HttpClient http;

    public HttpsJwksSource(URI jwksUri, SSLContext tls) {
        this.jwksUri = jwksUri;
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
    }

    /** {@code issuer}'s JWKS location in Keycloak. */
    public static URI keycloakJwks(String issuer) {
        return URI.create(issuer + "/protocol/openid-connect/certs");
    }

    @Override
    public String fetch() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(jwksUri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("JWKS " + jwksUri + " answered HTTP " + r.statusCode());
        }
        return r.body();
    }
}
