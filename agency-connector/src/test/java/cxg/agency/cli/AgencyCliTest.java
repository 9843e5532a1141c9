package cxg.agency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import cxg.agency.FakeGateway;
import cxg.pki.DevPki;
import cxg.v1.Disclosure;
import cxg.v1.SubjectKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cxg agency query} in-process, against a stand-in gateway speaking real mutual TLS. */
class AgencyCliTest {

    @TempDir
    static Path home;
    static Path pki;
    static FakeGateway gateway;

    @BeforeAll
    static void startGateway() throws IOException {
        pki = home.resolve("pki");
        DevPki.init(pki, false);
        gateway = FakeGateway.start(pki);
    }

    @AfterAll
    static void stopGateway() throws InterruptedException {
        gateway.close();
    }

    record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : err.lines().toList();
        }
    }

    /** Runs the command line; a test machine under load gets a long deadline unless the test sets one. */
    private static Run cli(Map<String, String> settings, String... args) {
        if (args.length > 0 && args[0].equals("query") && !List.of(args).contains("--deadline")) {
            List<String> withDeadline = new ArrayList<>(List.of(args));
            withDeadline.addAll(List.of("--deadline", "30s"));
            args = withDeadline.toArray(String[]::new);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AgencyCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), settings);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run query(String... extra) {
        List<String> args = new ArrayList<>(List.of("query", "--gateway", gateway.address(), "--pki-dir", pki.toString()));
        args.addAll(List.of(extra));
        return cli(Map.of(), args.toArray(String[]::new));
    }

    private static void assertOneLineError(Run run) {
        assertEquals(1, run.errLines().size(), "one line on stderr: " + run.err());
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
    }

    @Test
    void demoTokenOfAnotherMemberNeedsKeycloakAndSaysSo() {
        Run run = query("--as", "court", "--demo-token-of", "railway", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");
        assertEquals(2, run.exitCode());
        assertOneLineError(run);
        assertTrue(run.err().contains("--demo-token-of") && run.err().contains("needs Keycloak"), run.err());
    }

    @Test
    void printsOneLinePerPlatformWithTheDecisionAndWhatWasWithheld() {
        Run run = query("--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement",
                "--categories", "financial", "--disclosure", "SCORE");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        String alpha = lines.stream().filter(l -> l.startsWith("alpha-credit")).findFirst().orElseThrow();
        assertTrue(alpha.matches("alpha-credit +OK +tier good +score 603/1000 +original 712 on 350\\.\\.950 +\\(12 ms\\)"), alpha);
        String beta = lines.stream().filter(l -> l.startsWith("beta-score")).findFirst().orElseThrow();
        assertTrue(beta.matches("beta-score +NO_RATING +no rating for this subject +\\(7 ms\\)"), beta);
        assertTrue(run.out().contains("decision: allowed by agreements.yaml#court-enforcement, disclosure SCORE"), run.out());
        assertTrue(run.out().contains("alpha-credit factors[1] (MEDICAL: prohibited category)"), run.out());
        assertFalse(run.out().contains(FakeGateway.SUBJECT), "the report does not echo the subject");
        // What reached the gateway: the member's certificate and the normalised query.
        assertEquals("CN=court,OU=agency,O=cxg-demo", gateway.lastCaller());
        assertEquals(SubjectKind.RESIDENT_ID, gateway.lastQuery().getSubject().getKind());
        assertEquals(List.of("FINANCIAL"), gateway.lastQuery().getCategoriesList());
        assertEquals(Disclosure.SCORE, gateway.lastQuery().getDisclosure());
    }

    @Test
    void jsonOutputCarriesTheFullReport() throws IOException {
        Run run = query("--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement",
                "--disclosure", "FULL", "--json");

        assertEquals(0, run.exitCode(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertEquals("req-0001", report.path("requestId").asText());
        assertTrue(report.path("decision").path("allowed").asBoolean());
        assertEquals(FakeGateway.ALLOWED_RULE, report.path("decision").path("rule").asText());
        JsonNode alpha = report.path("results").get(0);
        assertEquals("alpha-credit", alpha.path("platform").asText());
        assertEquals("OK", alpha.path("status").asText());
        assertEquals(603, alpha.path("normalizedValue").asInt());
        assertEquals(712.0, alpha.path("originalValue").asDouble());
        assertEquals(350.0, alpha.path("scale").path("min").asDouble());
        assertEquals(950.0, alpha.path("scale").path("max").asDouble());
        assertEquals("2026-11-01T00:00:00Z", alpha.path("computedAt").asText());
        assertEquals("2027-02-01T00:00:00Z", alpha.path("validUntil").asText());
        assertEquals("FINANCIAL", alpha.path("factors").get(0).path("category").asText());
        assertFalse(alpha.has("detail"), "an OK result has no detail");
        JsonNode beta = report.path("results").get(1);
        assertEquals("NO_RATING", beta.path("status").asText());
        assertEquals("no rating for this subject", beta.path("detail").asText());
        assertFalse(beta.has("normalizedValue"));
        assertEquals("MEDICAL", report.path("withheld").get(0).path("category").asText());
    }

    @Test
    void tierOnlyReportShowsNoNumbers() {
        Run run = query("--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement",
                "--disclosure", "tier_only");

        assertEquals(0, run.exitCode(), run.err());
        String alpha = run.out().lines().filter(l -> l.startsWith("alpha-credit")).findFirst().orElseThrow();
        assertTrue(alpha.contains("tier good"), alpha);
        assertFalse(alpha.contains("score") || alpha.contains("original"), alpha);
    }

    @Test
    void actsAsTheMemberNamedByAs() {
        Run run = query("--as", "railway", "--subject", "91350100M000100Y43", "--purpose", "court-enforcement");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("CN=railway,OU=agency,O=cxg-demo", gateway.lastCaller());
        assertEquals(SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE, gateway.lastQuery().getSubject().getKind());
    }

    @Test
    void usesThePkcs12FileWhenThePemFilesAreAbsent(@TempDir Path onlyP12) throws IOException {
        Files.copy(pki.resolve("ca.crt"), onlyP12.resolve("ca.crt"));
        Files.copy(pki.resolve("court.p12"), onlyP12.resolve("court.p12"));

        Run run = cli(Map.of(), "query", "--gateway", gateway.address(), "--pki-dir", onlyP12.toString(),
                "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("CN=court,OU=agency,O=cxg-demo", gateway.lastCaller());
    }

    @Test
    void takesPkiDirectoryAndGatewayFromTheEnvironment() {
        Run run = cli(Map.of("CXG_HOME", home.toString(), "CXG_GATEWAY_ADDRESS", gateway.address()),
                "query", "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(0, run.exitCode(), run.err());
    }

    @Test
    void invalidSubjectReportedByTheGatewayExitsTwoNamingTheField() {
        Run run = query("--as", "court", "--subject", FakeGateway.BAD_CHECK_SUBJECT, "--purpose", "court-enforcement");

        assertEquals(2, run.exitCode());
        assertOneLineError(run);
        assertEquals("cxg: invalid subject.value: wrong check character", run.errLines().get(0));
        assertEquals("", run.out());
    }

    @Test
    void invalidSubjectWithJsonPrintsTheRestErrorBody() throws IOException {
        Run run = query("--as", "court", "--subject", FakeGateway.BAD_CHECK_SUBJECT, "--purpose", "court-enforcement", "--json");

        assertEquals(2, run.exitCode());
        JsonNode error = new ObjectMapper().readTree(run.out());
        assertEquals("INVALID_ARGUMENT", error.path("error").asText());
        assertEquals("subject.value", error.path("field").asText());
    }

    @Test
    void deniedPurposeExitsThreeAndNamesTheRule() {
        Run run = query("--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", FakeGateway.DENIED_PURPOSE);

        assertEquals(3, run.exitCode());
        assertOneLineError(run);
        assertEquals("cxg: denied by rule default-deny: no agreement grants purpose 'marketing' to this member",
                run.errLines().get(0));
    }

    @Test
    void memberOfTheCaThatIsNoAgencyIsUnauthenticatedAndExitsThree() {
        Run run = query("--as", "auditor", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(3, run.exitCode());
        assertOneLineError(run);
        assertTrue(run.err().startsWith("cxg: unauthenticated: "), run.err());
    }

    @Test
    void keyOfAnotherMemberIsNamedInOneLineAndExitsTwoInsteadOfAnUnavailableGateway(@TempDir Path mixed) throws IOException {
        for (String file : List.of("ca.crt", "court.crt")) {
            Files.copy(pki.resolve(file), mixed.resolve(file));
        }
        Files.copy(pki.resolve("railway.key"), mixed.resolve("court.key"));

        Run run = cli(Map.of(), "query", "--gateway", gateway.address(), "--pki-dir", mixed.toString(),
                "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(2, run.exitCode(), run.err());
        assertOneLineError(run);
        assertEquals("cxg: invalid --as: " + mixed.resolve("court.key") + " is not the private key of " + mixed.resolve("court.crt"),
                run.err().strip());
    }

    @Test
    void keyStoreWhoseKeyIsAnotherMembersIsNamedInOneLineAndExitsTwo(@TempDir Path mixed) throws Exception {
        Files.copy(pki.resolve("ca.crt"), mixed.resolve("ca.crt"));
        char[] password = DevPki.PASSWORD.toCharArray();
        KeyStore court = KeyStore.getInstance("PKCS12");
        KeyStore railway = KeyStore.getInstance("PKCS12");
        try (var c = Files.newInputStream(pki.resolve("court.p12")); var r = Files.newInputStream(pki.resolve("railway.p12"))) {
            court.load(c, password);
            railway.load(r, password);
        }
        court.setKeyEntry("court", railway.getKey("railway", password), password, court.getCertificateChain("court"));
        try (var out = Files.newOutputStream(mixed.resolve("court.p12"))) {
            court.store(out, password);
        }

        Run run = cli(Map.of(), "query", "--gateway", gateway.address(), "--pki-dir", mixed.toString(),
                "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(2, run.exitCode(), run.err());
        assertOneLineError(run);
        assertEquals("cxg: invalid --as: " + mixed.resolve("court.p12") + "'s key is not the private key of its certificate", run.err().strip());
    }

    @Test
    void certificateFromAForeignCaIsRefusedAtTheHandshakeAndExitsThree(@TempDir Path foreign, @TempDir Path mixed)
            throws IOException {
        DevPki.createForeignCa(foreign, "court");
        Files.copy(pki.resolve("ca.crt"), mixed.resolve("ca.crt"));
        Files.copy(foreign.resolve("court.crt"), mixed.resolve("court.crt"));
        Files.copy(foreign.resolve("court.key"), mixed.resolve("court.key"));

        Run run = cli(Map.of(), "query", "--gateway", gateway.address(), "--pki-dir", mixed.toString(),
                "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(3, run.exitCode(), run.err());
        assertOneLineError(run);
        assertTrue(run.err().contains("refused the certificate of member 'court'"), run.err());
    }

    @Test
    void gatewayDownExitsFour() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run run = cli(Map.of(), "query", "--gateway", "127.0.0.1:" + closedPort, "--pki-dir", pki.toString(),
                "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(4, run.exitCode());
        assertOneLineError(run);
        assertEquals("cxg: unavailable: gateway at 127.0.0.1:" + closedPort + " unavailable: connection refused",
                run.errLines().get(0));
    }

    @Test
    void gatewayTooSlowExitsFourAfterTheDeadline() {
        Run run = query("--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", FakeGateway.SLOW_PURPOSE,
                "--deadline", "300ms");

        assertEquals(4, run.exitCode());
        assertOneLineError(run);
        assertTrue(run.err().startsWith("cxg: timed out: no answer from the gateway"), run.err());
    }

    @Test
    void memberWithoutCertificateExitsTwoNamingTheOption() {
        Run run = query("--as", "nobody", "--subject", FakeGateway.SUBJECT, "--purpose", "court-enforcement");

        assertEquals(2, run.exitCode());
        assertOneLineError(run);
        assertTrue(run.err().startsWith("cxg: invalid --as: no certificate for member 'nobody'"), run.err());
    }

    @Test
    void badFlagsExitTwoWithOneLine() {
        List<String[]> bad = List.of(
                new String[] {"query", "--as", "court", "--subject", FakeGateway.SUBJECT},
                new String[] {"query", "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "p", "--colour"},
                new String[] {"query", "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "p", "--disclosure", "ALL"},
                new String[] {"query", "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "p", "--gateway", "nohost"},
                new String[] {"query", "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "p", "--categories", "A,,B"},
                new String[] {"query", "--as", "../court", "--subject", FakeGateway.SUBJECT, "--purpose", "p"},
                new String[] {"frobnicate"},
                new String[] {});
        for (String[] args : bad) {
            Run run = cli(Map.of(), args);
            assertEquals(2, run.exitCode(), String.join(" ", args) + " -> " + run.err());
            assertOneLineError(run);
            assertTrue(run.err().startsWith("cxg: "), run.err());
        }
        assertTrue(cli(Map.of(), bad.get(0)).err().contains("--purpose"));
        assertTrue(cli(Map.of(), bad.get(2)).err().startsWith("cxg: invalid --disclosure: "));
    }

    @Test
    void everyGatewayCommandRefusesABadAddressOrDeadlineByItsFlagBeforeConnecting() {
        String[][] commands = {
                {"query", "--as", "court", "--subject", FakeGateway.SUBJECT, "--purpose", "p"},
                {"check", "--as", "railway", "--subject", FakeGateway.SUBJECT},
                {"events"}};
        for (String[] command : commands) {
            for (String[] bad : List.of(new String[] {"--gateway", "nohost"}, new String[] {"--deadline", "soon"})) {
                List<String> args = new ArrayList<>(List.of(command));
                args.addAll(List.of(bad));
                args.addAll(List.of("--pki-dir", pki.toString()));
                Run run = command[0].equals("events") ? audit(args) : cli(Map.of(), args.toArray(String[]::new));
                assertEquals(2, run.exitCode(), args + " -> " + run.err());
                assertOneLineError(run);
                assertTrue(run.err().startsWith("cxg: invalid " + bad[0] + ": "), args + " -> " + run.err());
            }
        }
    }

    private static Run audit(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AuditCli.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true), Map.of(),
                java.time.Clock.systemUTC());
        return new Run(code, out.toString(), err.toString());
    }

    private static Run check(String... extra) {
        List<String> args = new ArrayList<>(List.of("check", "--gateway", gateway.address(), "--pki-dir", pki.toString(),
                "--deadline", "30s"));
        args.addAll(List.of(extra));
        return cli(Map.of(), args.toArray(String[]::new));
    }

    @Test
    void checkAnswersYesWithTheMeasureAndItsDates() {
        Run run = check("--as", "railway", "--subject", FakeGateway.SUBJECT);

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(FakeGateway.RESTRICTION_PURPOSE, gateway.lastCheck().getPurpose(), "the default purpose");
        assertTrue(run.out().startsWith("restricted: yes\n"), run.out());
        assertTrue(run.out().contains("air-travel-restriction  decided 2026-10-01T00:00:00Z  until 2027-10-01T00:00:00Z"), run.out());
        assertTrue(run.out().contains("decision: allowed by " + FakeGateway.RESTRICTION_RULE), run.out());
    }

    @Test
    void checkJsonSaysNoForAnUnrestrictedSubject() throws IOException {
        Run run = check("--as", "railway", "--subject", FakeGateway.UNRESTRICTED_SUBJECT, "--json");

        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertFalse(json.get("restricted").asBoolean());
        assertEquals(0, json.get("measures").size());
        assertEquals(SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE, gateway.lastCheck().getSubject().getKind());
    }

    @Test
    void checkForAPurposeNotGrantedExitsThreeNamingTheRule() {
        Run run = check("--as", "railway", "--subject", FakeGateway.SUBJECT, "--purpose", "marketing");

        assertEquals(3, run.exitCode());
        assertOneLineError(run);
        assertTrue(run.err().contains(FakeGateway.DENY_RULE), run.err());
    }
}
