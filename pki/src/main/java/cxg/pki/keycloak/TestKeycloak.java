package cxg.pki.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import cxg.pki.DevPki;

/**
 * The real Keycloak that tests of any module run against, started once per test run.
 *
 * <p>{@code ./cxg test} starts Keycloak before Maven and exports {@value #URL_ENV} (its HTTPS base URL,
 * e.g. {@code https://localhost:41234}) and {@value #PKI_ENV} (the dev PKI whose CA Keycloak trusts and
 * whose member certificates tests present). Without them (a single module run from an IDE or mvn) the
 * first call to {@link #get()} starts a private instance through {@code keycloak/keycloak.sh} on free
 * ports with a fresh PKI in a temp directory, and stops it when the JVM exits.
 */
public final class TestKeycloak {

    public static final String URL_ENV = "CXG_TEST_KEYCLOAK_URL";
    public static final String PKI_ENV = "CXG_TEST_KEYCLOAK_PKI";
    /** Set by {@code ./cxg test}, which starts Keycloak without waiting: the first test waits for it. */
    public static final String RUN_DIR_ENV = "CXG_TEST_KEYCLOAK_RUN_DIR";
    public static final String REALM = "cxg";
    /** Dev-only credentials from keycloak/cxg-realm.json and keycloak/keycloak.sh. */
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = "admin-dev-password";

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ERROR = Pattern.compile("\"error_description\"\\s*:\\s*\"([^\"]*)\"");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10);
    private static TestKeycloak instance;

    private final URI baseUrl;
    private final Path pkiDir;
    /** keycloak.sh's run directory of a private instance; null for the test run's shared one. */
    private final Path runDir;

    private TestKeycloak(URI baseUrl, Path pkiDir, Path runDir) {
        this.baseUrl = baseUrl;
        this.pkiDir = pkiDir;
        this.runDir = runDir;
    }

    /** The test run's Keycloak: the one named by the environment, else a private one started now. */
    public static synchronized TestKeycloak get() {
        if (instance == null) {
            String url = setting(URL_ENV);
            String pki = setting(PKI_ENV);
            if (url != null && pki != null) {
                String runDir = setting(RUN_DIR_ENV);
                if (runDir != null) {
                    runScript(findScript(), Map.of("CXG_KEYCLOAK_RUN_DIR", runDir),
                            List.of("wait", "" + START_TIMEOUT.toSeconds()));
                }
                instance = new TestKeycloak(URI.create(url), Path.of(pki), null);
            } else {
                instance = startPrivate();
            }
        }
        return instance;
    }

    /** HTTPS base URL, always with host {@code localhost} (Keycloak's {@code iss} follows the host used). */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The issuer of realm cxg's tokens, e.g. {@code https://localhost:41234/realms/cxg}. */
    public String issuer() {
        return baseUrl + "/realms/" + REALM;
    }

    public URI jwksUri() {
        return URI.create(issuer() + "/protocol/openid-connect/certs");
    }

    /** The dev PKI Keycloak trusts: its member certificates ({@code N.p12}) get certificate-bound tokens. */
    public Path pkiDir() {
        return pkiDir;
    }

    /** A client-credentials access token for demo member {@code member}, bound to its certificate. */
    public String token(String member) {
        return token(member, member + "-dev-secret", pkiDir.resolve(member + ".p12"), member);
    }

    /**
     * A client-credentials access token for {@code clientId}, requested over TLS presenting the key
     * {@code alias} of {@code p12} (password {@value DevPki#PASSWORD}), so Keycloak binds the token to
     * that certificate.
     */
    public String token(String clientId, String secret, Path p12, String alias) {
        HttpResponse<String> r = post(clientFor(p12), issuer() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
        Matcher m = ACCESS_TOKEN.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            Matcher e = ERROR.matcher(r.body());
            throw new IllegalStateException("Keycloak refused a token for " + clientId + ": HTTP " + r.statusCode()
                    + (e.find() ? " " + e.group(1) : ""));
        }
        return m.group(1);
    }

    /** An access token of the master realm's admin, for the admin REST API (e.g. to rotate keys). */
    public String adminToken() {
        HttpResponse<String> r = post(clientFor(null), baseUrl + "/realms/master/protocol/openid-connect/token",
                Map.of("grant_type", "password", "client_id", "admin-cli",
                        "username", ADMIN_USER, "password", ADMIN_PASSWORD));
        Matcher m = ACCESS_TOKEN.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("Keycloak refused the admin login: HTTP " + r.statusCode());
        }
        return m.group(1);
    }

    /** Calls the admin REST API of realm cxg ({@code path} like {@code /components}); returns the response. */
    public HttpResponse<String> admin(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + "/admin/realms/" + REALM + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + adminToken())
                .header("Content-Type", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
        try {
            return clientFor(null).send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak admin API unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Rotates realm cxg's signing key: adds a new RSA key with a higher priority, so tokens issued from now on
     * carry a key id the realm did not have before (the old key stays valid for tokens already issued).
     */
    public void rotateSigningKey() {
        HttpResponse<String> realm = admin("GET", "", null);
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(realm.body());
        if (realm.statusCode() != 200 || !id.find()) {
            throw new IllegalStateException("cannot read realm " + REALM + ": HTTP " + realm.statusCode());
        }
        long priority = 1000 + System.currentTimeMillis() / 1000 % 1_000_000;
        String component = "{\"name\":\"rotated-" + priority + "\",\"providerId\":\"rsa-generated\","
                + "\"providerType\":\"org.keycloak.keys.KeyProvider\",\"parentId\":\"" + id.group(1) + "\","
                + "\"config\":{\"priority\":[\"" + priority + "\"],\"active\":[\"true\"],\"enabled\":[\"true\"]}}";
        HttpResponse<String> r = admin("POST", "/components", component);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("Keycloak refused the new signing key: HTTP " + r.statusCode());
        }
    }

    private HttpResponse<String> post(HttpClient client, String url, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak unreachable at " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** An HTTPS client trusting the dev CA, presenting {@code p12}'s key when given. */
    private HttpClient clientFor(Path p12) {
        try {
            KeyStore trust = load(pkiDir.resolve("truststore.p12"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(p12 == null ? null : load(p12), DevPki.PASSWORD.toCharArray());
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(p12 == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(30)).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS with " + p12 + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path p12) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, DevPki.PASSWORD.toCharArray());
        }
        return ks;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String setting(String env) {
        String prop = System.getProperty(env.toLowerCase().replace('_', '.'));
        String value = prop != null ? prop : System.getenv(env);
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * Stops a private instance (for "Keycloak down" tests); the shared one of the test run is never stopped.
     *
     * @throws IllegalStateException for the shared instance
     */
    public void stop() {
        if (runDir == null) {
            throw new IllegalStateException("the test run's shared Keycloak is not stopped by tests");
        }
        runScript(findScript(), Map.of("CXG_KEYCLOAK_RUN_DIR", runDir.toString()), List.of("stop"));
    }

    /**
     * A Keycloak of its own (free ports, fresh PKI) that the caller may {@link #stop()}; slow to start, so for
     * the one test that needs Keycloak to go away. Stopped at JVM exit at the latest.
     */
    public static TestKeycloak startPrivate() {
        Path script = findScript();
        try {
            Path run = Files.createTempDirectory("cxg-test-keycloak");
            Path pki = run.resolve("pki");
            DevPki.init(pki, false);
            int http = freePort();
            int https = freePort();
            int mgmt = freePort();
            Map<String, String> env = Map.of("CXG_KEYCLOAK_RUN_DIR", run.toString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> runScript(script, env, List.of("stop"))));
            runScript(script, env, List.of("start", "" + http, "" + https, "" + mgmt, pki.toString()));
            runScript(script, env, List.of("wait", "" + START_TIMEOUT.toSeconds()));
            return new TestKeycloak(URI.create("https://localhost:" + https), pki, run);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test Keycloak: " + e.getMessage(), e);
        }
    }

    private static void runScript(Path script, Map<String, String> env, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        try {
            int rc = pb.start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("keycloak.sh " + args.get(0) + " failed (exit " + rc + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** keycloak/keycloak.sh of this repository: from the build's root ({@code cxg.home}) or a parent of the cwd. */
    private static Path findScript() {
        List<Path> candidates = new ArrayList<>();
        String root = System.getProperty("cxg.home");
        if (root != null) {
            candidates.add(Path.of(root));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            candidates.add(p);
        }
        return candidates.stream()
                .map(p -> p.resolve("keycloak/keycloak.sh"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("keycloak/keycloak.sh not found above " + Path.of("").toAbsolutePath()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
