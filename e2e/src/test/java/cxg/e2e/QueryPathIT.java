package cxg.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.standalone.WireMockServerRunner;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole query path with the real processes, started exactly as a user does with {@code ./cxg up}
 * (in a temporary CXG_HOME, on free ports, without rebuilding: Maven has just packaged the apps).
 */
class QueryPathIT {

    private static final String SUBJECT = "11010519491231002X";
    /** Same as SUBJECT with a wrong check character. */
    private static final String BAD_SUBJECT = "110105194912310021";
    private static final List<String> PLATFORMS = List.of("alpha-credit", "beta-score");
    static final List<String> PORT_VARIABLES = List.of("CXG_GATEWAY_PORT", "CXG_GATEWAY_HTTP_PORT", "CXG_AUDIT_TILES_PORT",
            "CXG_ALPHA_PORT", "CXG_ALPHA_HTTP_PORT", "CXG_BETA_PORT", "CXG_BETA_HTTP_PORT",
            "CXG_ALPHA_API_PORT", "CXG_BETA_API_PORT", "CXG_AGENCY_PORT",
            "CXG_KEYCLOAK_PORT", "CXG_KEYCLOAK_HTTPS_PORT", "CXG_KEYCLOAK_MGMT_PORT");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOGGED_WARNING = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d [\\d:,]+ (WARN|ERROR) ");
    private static final Pattern EXPECTED_AT_START = Pattern.compile(
            "\\[io\\.vertx\\.core\\.impl\\.BlockedThreadChecker]|\\[io\\.quarkus\\.grpc\\.runtime\\.GrpcServerRecorder] \\(main\\) Using legacy gRPC support with a separate HTTP server");

    private static Path repo;
    private static Path home;
    private static final Map<String, String> env = new LinkedHashMap<>();
    private static final List<Long> startedPids = new ArrayList<>();

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void up() throws Exception {
        repo = Path.of(System.getProperty("cxg.repo", "..")).toRealPath();
        home = Files.createTempDirectory("cxg-e2e-");
        env.put("CXG_HOME", home.toString());
        env.put("CXG_NO_BUILD", "1");
        env.put("CXG_START_TIMEOUT", "240");
        env.put("CXG_WIREMOCK_JAR", Path.of(WireMockServerRunner.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString());
        List<Integer> ports = FreePorts.take(PORT_VARIABLES.size());
        for (int i = 0; i < ports.size(); i++) {
            env.put(PORT_VARIABLES.get(i), Integer.toString(ports.get(i)));
        }

        useTheTestRunsKeycloak();

        Run up = cxg(Duration.ofMinutes(8), "up");
        if (up.exitCode() != 0) {
            fail("./cxg up failed (exit " + up.exitCode() + "):\n" + up.out() + up.err());
        }
        // up ends once a query through the whole path was answered by both platforms, so that a user's first one answers
        assertTrue(up.out().contains("cxg: warming up the query path"), up.out());
        assertFalse(up.err().contains("did not answer from both platforms"), up.err());
        warmUp();
        JsonNode status = JSON.readTree(cxg(Duration.ofSeconds(60), "status", "--json").out());
        status.get("gateways").forEach(g -> startedPids.add(g.get("pid").asLong()));
        status.fields().forEachRemaining(e -> {
            if (e.getValue().hasNonNull("pid")) {
                startedPids.add(e.getValue().get("pid").asLong());
            }
        });
    }

    /**
     * Under {@code ./cxg test} one Keycloak serves the whole run: {@code up} uses it (CXG_KEYCLOAK_URL) and the
     * PKI it trusts instead of booting its own. Run alone, {@code up} starts its own Keycloak on free ports.
     */
    private static void useTheTestRunsKeycloak() throws IOException {
        String url = System.getenv("CXG_TEST_KEYCLOAK_URL");
        String pki = System.getenv("CXG_TEST_KEYCLOAK_PKI");
        if (url == null || pki == null) {
            return;
        }
        env.put("CXG_KEYCLOAK_URL", url);
        Path target = home.resolve("pki");
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Path.of(pki))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
    }

    @AfterAll
    static void down() throws Exception {
        if (home == null) {
            return;
        }
        try {
            Run down = cxg(Duration.ofMinutes(2), "down");
            assertEquals(0, down.exitCode(), down.out() + down.err());
            for (long pid : startedPids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "process " + pid + " still runs after ./cxg down");
            }
        } finally {
            deleteTree(home);
        }
    }

    @Test
    void statusListsEveryProcessHealthyWithItsPort() throws Exception {
        JsonNode status = JSON.readTree(cxg(Duration.ofSeconds(60), "status", "--json").out());

        JsonNode gateways = status.get("gateways");
        assertEquals(1, gateways.size(), status.toString());
        assertEquals(env.get("CXG_GATEWAY_PORT"), gateways.get(0).get("port").asText());
        for (String name : List.of("alpha-credit-connector", "beta-score-connector", "agency-connector",
                "alpha-credit-api", "beta-score-api")) {
            assertTrue(status.get(name).get("healthy").asBoolean(), name + " healthy: " + status);
        }
        assertEquals(env.get("CXG_AGENCY_PORT"), status.get("agency-connector").get("port").asText());
    }

    /**
     * What a healthy start writes to the processes' logs before "started in" holds no warning an operator would have to
     * look into. Two are expected and documented in the README: Quarkus' note that gRPC has a server of its own (so that
     * mutual TLS covers all of gRPC while health stays plain HTTP), and Vert.x's blocked event loop on a loaded machine.
     */
    @Test
    void aHealthyStartLogsNoWarning() throws IOException {
        for (String process : List.of("gateway", "alpha-credit-connector", "beta-score-connector", "agency-connector")) {
            Path log = home.resolve("run").resolve(process + ".log");
            List<String> warnings = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.contains("[io.quarkus] ") && line.contains(" started in ")) {
                    break;
                }
                if (LOGGED_WARNING.matcher(line).find() && !EXPECTED_AT_START.matcher(line).find()) {
                    warnings.add(line);
                }
            }
            assertEquals(List.of(), warnings, process + "'s start, in " + log);
        }
    }

    @Test
    void restQueryThroughTheAgencyConnectorIsAnsweredByBothPlatforms() throws Exception {
        assertBothPlatformsAnswered(retryingTimeouts(() -> {
            HttpResponse<String> response = restQuery();
            assertEquals(200, response.statusCode(), response.body());
            return JSON.readTree(response.body());
        }));
    }

    @Test
    void cliQueryIsAnsweredByBothPlatforms() throws Exception {
        assertBothPlatformsAnswered(retryingTimeouts(() -> {
            Run run = cxg(Duration.ofSeconds(90), "agency", "query", "--as", "court", "--subject", SUBJECT,
                    "--purpose", "court-enforcement", "--json");
            assertEquals(0, run.exitCode(), run.err());
            return JSON.readTree(run.out());
        }));
    }

    @Test
    void cliRejectsAWrongCheckCharacterWithExitTwoAndOneLineNamingTheSubject() throws Exception {
        Run run = cxg(Duration.ofSeconds(90), "agency", "query", "--as", "court", "--subject", BAD_SUBJECT,
                "--purpose", "court-enforcement");

        assertEquals(2, run.exitCode(), run.out() + run.err());
        List<String> lines = run.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr: " + run.err());
        assertTrue(lines.get(0).contains("subject"), lines.get(0));
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
    }

    @Test
    void cliQueryForAPurposeNoAgreementGrantsExitsThreeNamingTheRule() throws Exception {
        Run run = cxg(Duration.ofSeconds(90), "agency", "query", "--as", "court", "--subject", SUBJECT,
                "--purpose", "deposit-waiver");

        assertEquals(3, run.exitCode(), run.out() + run.err());
        List<String> lines = run.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr: " + run.err());
        assertTrue(lines.get(0).contains("default-deny"), lines.get(0));
        assertFalse(run.out().contains("alpha-credit"), "a denied query shows no platform answer: " + run.out());
    }

    @Test
    void cliQueryWithAnotherMembersTokenIsRefusedWithExitThreeInOneLine() throws Exception {
        Run run = cxg(Duration.ofSeconds(90), "agency", "query", "--as", "court", "--demo-token-of", "railway",
                "--subject", SUBJECT, "--purpose", "court-enforcement");

        assertEquals(3, run.exitCode(), run.out() + run.err());
        List<String> lines = run.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(List.of("cxg: unauthenticated: token is bound to another certificate"), lines);
        assertFalse(run.out().contains("alpha-credit"), "a refused query shows no platform answer: " + run.out());
    }

    @Test
    void auditorReadsTheSubjectReportAndVerifiesTheExportWhileAnAgencySeesOnlyItsOwnEntries() throws Exception {
        String subject = "110105198001017728";
        assertEquals(0, cxg(Duration.ofSeconds(90), "agency", "query", "--as", "court", "--subject", subject,
                "--purpose", "court-enforcement").exitCode());
        assertEquals(3, cxg(Duration.ofSeconds(90), "agency", "query", "--as", "railway", "--subject", subject,
                "--purpose", "court-enforcement").exitCode());

        Run report = cxg(Duration.ofSeconds(90), "audit", "report", "--subject", subject, "--json");
        assertEquals(0, report.exitCode(), report.err());
        JsonNode accesses = JSON.readTree(report.out()).get("accesses");
        List<String> who = new ArrayList<>();
        accesses.forEach(a -> who.add(a.get("member").asText() + " " + a.get("decision").asText() + " " + a.get("outcome").asText()));
        assertEquals(List.of("court ALLOW OK", "railway DENY PERMISSION_DENIED"), who);
        assertFalse(report.out().contains(subject), "the report never shows the raw identifier");

        Run export = cxg(Duration.ofSeconds(90), "audit", "export", "--subject", subject);
        assertEquals(0, export.exitCode(), export.err());
        Path file = Files.writeString(home.resolve("audit-export.json"), export.out());
        Path key = home.resolve("data/gateway/audit-keys/audit-signing.key.pub");
        Run verify = cxg(Duration.ofSeconds(90), "audit", "verify", "--export", file.toString(), "--key", key.toString(),
                "--state", home.resolve("verifier-state").toString());
        assertEquals(0, verify.exitCode(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("OK "), verify.out());

        Run others = cxg(Duration.ofSeconds(90), "audit", "events", "--as", "court", "--member", "railway");
        assertEquals(3, others.exitCode(), others.out() + others.err());
        List<String> lines = others.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr: " + others.err());
        assertTrue(lines.get(0).contains("audit-own-entries"), lines.get(0));
    }

    interface Query {
        JsonNode run() throws Exception;
    }

    /**
     * Runs the query again (at most 3 times) while a platform reports TIMEOUT: on a loaded machine freshly
     * started JVMs can miss the gateway's deadline. Any other status is final.
     */
    private static JsonNode retryingTimeouts(Query query) throws Exception {
        JsonNode report = query.run();
        for (int attempt = 1; attempt < 3 && hasTimeout(report); attempt++) {
            report = query.run();
        }
        return report;
    }

    private static boolean hasTimeout(JsonNode report) {
        for (JsonNode r : report.path("results")) {
            if ("TIMEOUT".equals(r.path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    /** First queries through cold JVMs may time out; send a few until both platforms answer (or give up). */
    private static void warmUp() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = restQuery();
                if (response.statusCode() == 200 && !hasTimeout(JSON.readTree(response.body()))) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet: try again
            }
            Thread.sleep(500);
        }
    }

    private static HttpResponse<String> restQuery() throws IOException, InterruptedException {
        String body = "{\"subject\":\"" + SUBJECT + "\",\"purpose\":\"court-enforcement\"}";
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("CXG_AGENCY_PORT") + "/v1/score-queries"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertBothPlatformsAnswered(JsonNode report) {
        Map<String, JsonNode> byPlatform = new HashMap<>();
        report.get("results").forEach(r -> byPlatform.put(r.get("platform").asText(), r));
        for (String platform : PLATFORMS) {
            JsonNode result = byPlatform.get(platform);
            assertTrue(result != null, platform + " missing from " + report);
            assertEquals("OK", result.get("status").asText(), platform + ": " + result);
            assertTrue(result.hasNonNull("normalizedValue") || result.hasNonNull("originalValue"),
                    platform + " carries a value: " + result);
        }
    }

    /** Runs {@code ./cxg args…} in the repository with the test's environment. */
    private static Run cxg(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve("cxg").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            fail("./cxg " + String.join(" ", args) + " did not finish within " + timeout + ":\n"
                    + Files.readString(out) + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
