package cxg.scorer.submit;

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
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One access token for the platform from realm cxg (client-credentials grant over TLS with the
 * platform's certificate, so Keycloak binds it to that certificate, RFC 8705). The gateway checks
 * it once, when the submission stream opens, so one token per run is enough; a rejected one is
 * replaced once ({@link SubmitCommand}).
 */
final class PlatformToken {

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ERROR = Pattern.compile("\"error_description\"\\s*:\\s*\"([^\"]*)\"");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private PlatformToken() {
    }

    /** No token could be obtained; the message is fit for the user. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    static String request(String keycloakUrl, String secret, Path pkiDir, String platform) throws Unavailable {
        URI endpoint = URI.create(keycloakUrl.replaceAll("/+$", "") + "/realms/cxg/protocol/openid-connect/token");
        String form = "grant_type=client_credentials&client_id=" + enc(platform) + "&client_secret=" + enc(secret);
        HttpResponse<String> r;
        try {
            HttpClient http = HttpClient.newBuilder().sslContext(tls(pkiDir, platform)).connectTimeout(TIMEOUT).build();
            r = http.send(HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | GeneralSecurityException e) {
            throw new Unavailable("no token for " + platform + ": Keycloak unreachable at " + endpoint.getHost() + ":"
                    + endpoint.getPort());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while requesting a token");
        }
        Matcher t = ACCESS_TOKEN.matcher(r.body());
        if (r.statusCode() != 200 || !t.find()) {
            Matcher e = ERROR.matcher(r.body());
            throw new Unavailable("Keycloak refused a token for " + platform + " (HTTP " + r.statusCode()
                    + (e.find() ? ": " + e.group(1) : "") + ")");
        }
        return t.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Presents {@code <platform>.p12} and trusts the dev CA, which issued Keycloak's certificate. */
    private static SSLContext tls(Path pkiDir, String platform) throws IOException, GeneralSecurityException {
        try (InputStream keyIn = Files.newInputStream(pkiDir.resolve(platform + ".p12"));
             InputStream caIn = Files.newInputStream(pkiDir.resolve("ca.crt"))) {
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
        }
    }
}
