package cxg.gateway.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cxg.gateway.audit.DirectoryLogStore;
import cxg.pki.DevPki;
import cxg.gateway.policy.PolicyLoader;
import cxg.gateway.policy.PolicyStore;
import cxg.gateway.policy.QuotaLimiter;
import cxg.gateway.transport.GatewayTls;
import io.quarkus.runtime.QuarkusBindException;
import io.quarkus.runtime.configuration.ConfigurationException;

class StartupFailureTest {

    @TempDir
    Path dir;

    /** How Quarkus hands a bean's failure to the exit handler. */
    private static RuntimeException asQuarkusReportsIt(Throwable cause) {
        return new RuntimeException("Failed to start quarkus", new RuntimeException(cause));
    }

    @Test
    void anInvalidPolicySetIsReportedWithEveryErrorOnItsOwnLine() throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        try (Stream<Path> files = Files.list(Path.of("../policies"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, policies.resolve(file.getFileName()));
            }
        }
        Path agreements = policies.resolve("agreements.yaml");
        Files.writeString(agreements, Files.readString(agreements).replaceFirst("quotaPerMinute: \\d+", "quotaPerMinute: 5000000")
                .replaceFirst("legalBasis: .*", "legalBasis: \"\""));
        Clock clock = Clock.systemUTC();
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> PolicyStore.open(policies, new PolicyLoader(clock, QuotaLimiter.unlimited()), clock));

        String reason = StartupFailure.describe(asQuarkusReportsIt(refused)).orElseThrow();

        assertTrue(reason.startsWith("policy set in " + policies + " is invalid:\n"), reason);
        assertTrue(reason.contains("agreements[0].quotaPerMinute"), reason);
        assertEquals(3, reason.lines().count(), reason);
    }

    @Test
    void aMissingCertificateIsReportedWithTheSettingToFix() {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> GatewayTls.load(dir, "gateway", "changeit"));

        assertEquals(Optional.of("no member CA certificate at " + dir.resolve("ca.crt")
                + " (set cxg.pki.dir, or create the dev PKI with ./cxg pki init)"), StartupFailure.describe(asQuarkusReportsIt(refused)));
    }

    @Test
    void aCertificateAndKeyThatDoNotFitAreReportedNamingTheFile() throws Exception {
        DevPki.init(dir, false);
        Files.copy(dir.resolve("court.key"), dir.resolve("gateway.key"), StandardCopyOption.REPLACE_EXISTING);
        RuntimeException mismatched = assertThrows(RuntimeException.class, () -> GatewayTls.load(dir, "gateway", "changeit"));

        assertEquals(Optional.of("cxg.pki.dir: " + dir.resolve("gateway.key") + " is not the private key of " + dir.resolve("gateway.crt")),
                StartupFailure.describe(asQuarkusReportsIt(mismatched)));

        Files.writeString(dir.resolve("gateway.key"), "not a key\n");
        RuntimeException corrupt = assertThrows(RuntimeException.class, () -> GatewayTls.load(dir, "gateway", "changeit"));

        assertEquals(Optional.of("cxg.pki.dir: " + dir.resolve("gateway.key") + " is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----)"),
                StartupFailure.describe(asQuarkusReportsIt(corrupt)));
    }

    @Test
    void aP12OfAnotherCaIsReportedNamingTheFile() throws Exception {
        DevPki.init(dir, false);
        Files.delete(dir.resolve("gateway.crt"));
        Files.delete(dir.resolve("gateway.key"));
        GatewayTls.load(dir, "gateway", DevPki.PASSWORD);
        DevPki.createForeignCa(dir.resolve("foreign"), "gateway");
        Files.copy(dir.resolve("foreign/gateway.p12"), dir.resolve("gateway.p12"), StandardCopyOption.REPLACE_EXISTING);

        RuntimeException refused = assertThrows(RuntimeException.class, () -> GatewayTls.load(dir, "gateway", DevPki.PASSWORD));

        assertEquals(Optional.of("cxg.pki.dir: " + dir.resolve("gateway.p12") + "'s certificate was not issued by the member CA in "
                + dir.resolve("ca.crt") + " (its issuer is \"CN=cxg foreign CA,O=cxg-demo\")"), StartupFailure.describe(asQuarkusReportsIt(refused)));
    }

    @Test
    void anUnopenableAuditDirectoryIsReportedWithTheFileSystemsReason() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        RuntimeException refused = assertThrows(RuntimeException.class, () -> DirectoryLogStore.open(file.resolve("audit")));

        String reason = StartupFailure.describe(asQuarkusReportsIt(refused)).orElseThrow();

        assertTrue(reason.startsWith("cannot open audit directory " + file.resolve("audit") + ": "), reason);
        assertEquals(1, reason.lines().count(), reason);
    }

    @Test
    void aPortInUseIsReportedWithThePortAndTheSettings() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BindException refused = assertThrows(BindException.class,
                    () -> new ServerSocket(taken.getLocalPort(), 1, InetAddress.getLoopbackAddress()).close());
            Throwable asQuarkusReportsIt = new RuntimeException("Failed to start quarkus", new RuntimeException("Unable to start HTTP server",
                    new QuarkusBindException("127.0.0.1", taken.getLocalPort(), refused)));

            assertEquals(Optional.of("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use: another process, or a gateway"
                    + " already running, listens there (quarkus.http.port, quarkus.grpc.server.port)"), StartupFailure.describe(asQuarkusReportsIt));
        }
    }

    @Test
    void aConfigurationErrorIsReportedAsQuarkusWordsIt() {
        assertEquals(Optional.of("cxg.audit.commit-delay: not a duration"),
                StartupFailure.describe(asQuarkusReportsIt(new ConfigurationException("cxg.audit.commit-delay: not a duration"))));
    }

    @Test
    void aBugInCxgCodeIsNotDescribedSoItKeepsItsStackTrace() {
        String missing = System.getProperty("cxg.no-such-property");
        RuntimeException bug = assertThrows(NullPointerException.class, () -> missing.length());

        assertEquals(Optional.empty(), StartupFailure.describe(asQuarkusReportsIt(bug)));
        assertEquals(Optional.empty(), StartupFailure.describe(asQuarkusReportsIt(new IllegalStateException("from a library, not cxg") {
            {
                setStackTrace(new StackTraceElement[] {new StackTraceElement("io.vertx.Some", "thing", null, 1)});
            }
        })));
    }

    @Test
    void theGrpcServersFailureIsKeptAndItsStackTraceDroppedOnlyWhenItsReasonCanBeNamed() {
        GrpcStartFailures filter = new GrpcStartFailures();
        LogRecord unrelated = new LogRecord(Level.SEVERE, "something else");
        unrelated.setLoggerName("io.quarkus.runtime.Application");
        unrelated.setThrown(new IllegalStateException("x"));
        assertTrue(filter.isLoggable(unrelated));
        assertEquals(Optional.empty(), GrpcStartFailures.first());

        RuntimeException named = assertThrows(RuntimeException.class, () -> GatewayTls.load(dir, "gateway", "changeit"));
        LogRecord failed = new LogRecord(Level.SEVERE, "Unable to start the gRPC server");
        failed.setLoggerName(GrpcStartFailures.RECORDER);
        failed.setThrown(named);
        assertFalse(filter.isLoggable(failed), "reported in one line by the exit handler instead");
        assertEquals(Optional.of(named), GrpcStartFailures.first());

        LogRecord bug = new LogRecord(Level.SEVERE, "Unable to start the gRPC server");
        bug.setLoggerName(GrpcStartFailures.RECORDER);
        bug.setThrown(new NullPointerException());
        assertTrue(filter.isLoggable(bug), "a failure no cxg code described keeps its stack trace");
    }
}
