package cxg.bench.load;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
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
 * A member's certificate-bound access tokens from realm cxg (client-credentials grant over TLS with
 * the member's certificate), renewed when a fifth of their lifetime is left, and an interceptor that
 * sends the current one on every call. The token request happens outside the measured path except
 * at renewal, as in a real client.
 */
public final class MemberTokens {

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI endpoint;
    private final String member;
    private final HttpClient http;
    private volatile String token;
    private volatile long renewAtNanos;

    private MemberTokens(URI endpoint, String member, HttpClient http) {
        this.endpoint = endpoint;
        this.member = member;
        this.http = http;
    }

    /** @param keycloakUrl e.g. {@code https://localhost:7843} (always {@code localhost}: the issuer carries the host) */
    public static MemberTokens fromKeycloak(String keycloakUrl, Path pkiDir, String member) {
        URI endpoint = URI.create(keycloakUrl.replaceAll("/+$", "") + "/realms/cxg/protocol/openid-connect/token");
        MemberTokens tokens = new MemberTokens(endpoint, member,
                HttpClient.newBuilder().sslContext(tls(pkiDir, member)).connectTimeout(TIMEOUT).build());
        tokens.current();
        return tokens;
    }

    public String current() {
        String t = token;
        if (t != null && System.nanoTime() - renewAtNanos < 0) {
            return t;
        }
        synchronized (this) {
            if (token == null || System.nanoTime() - renewAtNanos >= 0) {
                request();
            }
            return token;
        }
    }

    public ClientInterceptor interceptor() {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(ClientChannels.AUTHORIZATION, "Bearer " + current());
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    private void request() {
        String form = "grant_type=client_credentials&client_id=" + enc(member) + "&client_secret=" + enc(member + "-dev-secret");
        long asked = System.nanoTime();
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak unreachable at " + endpoint.getHost() + ":" + endpoint.getPort());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while requesting a token");
        }
        Matcher t = ACCESS_TOKEN.matcher(r.body());
        if (r.statusCode() != 200 || !t.find()) {
            throw new IllegalStateException("Keycloak refused a token for " + member + " (HTTP " + r.statusCode() + ")");
        }
        Matcher exp = EXPIRES_IN.matcher(r.body());
        long lifetime = exp.find() ? Long.parseLong(exp.group(1)) : 60;
        token = t.group(1);
        renewAtNanos = asked + Duration.ofSeconds(lifetime - Math.max(1, lifetime / 5)).toNanos();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static SSLContext tls(Path pkiDir, String member) {
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
            throw new BenchInputException("--pki-dir: cannot use " + p12 + " to request tokens (" + e.getClass().getSimpleName() + ")");
        }
    }
}
