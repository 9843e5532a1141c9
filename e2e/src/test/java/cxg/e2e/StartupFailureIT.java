package cxg.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.standalone.WireMockServerRunner;
import cxg.e2e.Checkout.Exit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's mistakes at start-up, with the packaged apps run as an operator runs them
 * ({@code java -jar …/quarkus-run.jar}): the process exits 1 and says what to fix in one line
 * (a policy set: one line per error), with no stack trace.
 */
class StartupFailureIT {

    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w.$/]+\\(|^Caused by: ");
    private static final Pattern BLOCKED_LOOP_WARNING = Pattern.compile(
            "(?m)^.*WARN +\\[io\\.vertx\\.core\\.impl\\.BlockedThreadChecker\\].*\\R(?:(?:\\s+at |io\\.vertx\\.core\\.VertxException).*\\R)*");

    private static Path repo;
    @TempDir
    static Path home;

    @BeforeAll
    static void devPki() throws Exception {
        repo = Checkout.root();
        Checkout.devPki(home);
    }

    @Test
    void gatewayWithAnInvalidPolicySetExitsOneListingTheFieldWithoutAStackTrace() throws Exception {
        Path policies = Files.createDirectories(home.resolve("broken-policies"));
        try (Stream<Path> files = Files.list(repo.resolve("policies"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, policies.resolve(file.getFileName()));
            }
        }
        Path agreements = policies.resolve("agreements.yaml");
        Files.writeString(agreements, Files.readString(agreements).replaceFirst("quotaPerMinute: \\d+", "quotaPerMinute: 5000000"));

        Exit exit = gateway(policies, home.resolve("pki"));

        assertEquals(1, exit.code(), exit.output());
        assertTrue(exit.output().contains("cxg gateway: cannot start: policy set in " + policies + " is invalid:\n"
                + "agreements.yaml:"), exit.output());
        assertTrue(exit.output().contains("agreements[0].quotaPerMinute: must have a maximum value of 1000000"), exit.output());
        assertNoStackTrace(exit);
    }

    @Test
    void gatewayWithoutItsPkiExitsOneNamingTheMissingFileWithoutAStackTrace() throws Exception {
        Path empty = Files.createDirectories(home.resolve("no-pki"));

        Exit exit = gateway(repo.resolve("policies"), empty);

        assertEquals(1, exit.code(), exit.output());
        assertTrue(exit.output().contains("cxg gateway: cannot start: no member CA certificate at " + empty.resolve("ca.crt")
                + " (set cxg.pki.dir"), exit.output());
        assertEquals(1, exit.output().lines().filter(l -> l.contains("cannot start")).count(), exit.output());
        assertNoStackTrace(exit);
    }

    @Test
    void gatewayWhoseGrpcPortIsTakenExitsOneNamingThePortWithoutAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Exit exit = gateway(repo.resolve("policies"), home.resolve("pki"), taken.getLocalPort(), FreePorts.take(2));

            assertEquals(1, exit.code(), exit.output());
            assertTrue(exit.output().contains("cxg gateway: cannot start: port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"),
                    exit.output());
            assertNoStackTrace(exit);
        }
    }

    @Test
    void scorerConnectorWithoutItsPkiExitsOneInsteadOfServingWithoutItsGrpcServer() throws Exception {
        Path empty = Files.createDirectories(home.resolve("no-pki-connector"));

        Exit exit = scorerConnector(empty, FreePorts.take(2));

        assertEquals(1, exit.code(), exit.output());
        assertTrue(exit.output().contains("cxg scorer connector: cannot start: cxg.pki.dir: cannot read "
                + empty.resolve("ca.crt") + " (run ./cxg pki init)"), exit.output());
        assertNoStackTrace(exit);
    }

    @Test
    void scorerConnectorWithACorruptKeyExitsOneNamingTheKeyWithoutAStackTrace() throws Exception {
        Path pki = pkiCopy("corrupt-key");
        Files.writeString(pki.resolve("alpha-credit.key"), "not a key\n");

        Exit exit = scorerConnector(pki, FreePorts.take(2));

        assertEquals(1, exit.code(), exit.output());
        assertTrue(exit.output().contains("cxg scorer connector: cannot start: cxg.pki.dir: " + pki.resolve("alpha-credit.key")
                + " is not a PEM PKCS#8 private key"), exit.output());
        assertNoStackTrace(exit);
    }

    @Test
    void scorerConnectorWhoseGrpcPortAnotherProcessHoldsExitsOneInsteadOfRunningWithoutItsServer() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Exit exit = scorerConnector(home.resolve("pki"), List.of(taken.getLocalPort(), FreePorts.take(1).get(0)));

            assertEquals(1, exit.code(), exit.output());
            assertTrue(exit.output().contains("cxg scorer connector: cannot start: quarkus.grpc.server.port: cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + ": Address already in use"), exit.output());
            assertNoStackTrace(exit);
        }
    }

    @Test
    void gatewayWithTheKeyOfAnotherMemberExitsOneNamingBothFilesWithoutAStackTrace() throws Exception {
        Path pki = pkiCopy("gateway-with-court-key");
        Files.copy(home.resolve("pki/court.key"), pki.resolve("gateway.key"), StandardCopyOption.REPLACE_EXISTING);

        Exit exit = gateway(repo.resolve("policies"), pki);

        assertEquals(1, exit.code(), exit.output());
        assertTrue(exit.output().contains("cxg gateway: cannot start: cxg.pki.dir: " + pki.resolve("gateway.key")
                + " is not the private key of " + pki.resolve("gateway.crt")), exit.output());
        assertNoStackTrace(exit);
    }

    @Test
    void upReportsAGatewayThatCannotStartWhileKeycloakIsStillBootingAndStopsTheRest() throws Exception {
        Path upHome = Files.createDirectories(home.resolve("up"));
        Path pki = pkiCopy("up/pki");
        Files.copy(pki.resolve("court.key"), pki.resolve("gateway.key"), StandardCopyOption.REPLACE_EXISTING);
        slowKeycloak(upHome.resolve("tools"));
        Map<String, String> env = new HashMap<>(Map.of("CXG_HOME", upHome.toString(), "CXG_NO_BUILD", "1",
                "CXG_WIREMOCK_JAR", Path.of(WireMockServerRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString()));
        List<Integer> ports = FreePorts.take(QueryPathIT.PORT_VARIABLES.size());
        for (int i = 0; i < ports.size(); i++) {
            env.put(QueryPathIT.PORT_VARIABLES.get(i), Integer.toString(ports.get(i)));
        }
        try {
            Exit up = cxg(env, "up");

            assertEquals(1, up.code(), up.output());
            assertTrue(up.output().contains("cxg: gateway could not start (its log: " + upHome.resolve("run/gateway.log") + "):\n"
                    + "cxg gateway: cannot start: cxg.pki.dir: " + pki.resolve("gateway.key") + " is not the private key of "
                    + pki.resolve("gateway.crt")), up.output());
            Exit status = cxg(env, "status");
            assertFalse(status.output().contains("healthy"), "everything up started is stopped again:\n" + status.output());
            assertFalse(Files.exists(upHome.resolve("run/keycloak.pid")), "Keycloak is stopped again");
        } finally {
            cxg(env, "down");
        }
    }

    /**
     * A Keycloak distribution, of the version keycloak.sh expects, that never becomes ready: up must not wait for
     * Keycloak to notice that the gateway has exited (it waited, up to 300 s, until Keycloak was ready).
     */
    private static void slowKeycloak(Path tools) throws Exception {
        Checkout.keycloakStandIn(tools, "exec sleep 600\n");
    }

    /** A copy of the dev PKI to break one file of. */
    private static Path pkiCopy(String name) throws Exception {
        Path copy = Files.createDirectories(home.resolve(name));
        try (Stream<Path> files = Files.list(home.resolve("pki"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private static Exit gateway(Path policies, Path pki) throws Exception {
        List<Integer> ports = FreePorts.take(3);
        return gateway(policies, pki, ports.get(0), ports.subList(1, 3));
    }

    /** @param ports the HTTP port and the audit tiles' port */
    private static Exit gateway(Path policies, Path pki, int grpcPort, List<Integer> ports) throws Exception {
        return run(repo.resolve("gateway/target/quarkus-app/quarkus-run.jar"),
                "-Dcxg.policy.dir=" + policies, "-Dcxg.pki.dir=" + pki,
                "-Dcxg.data.dir=" + Files.createTempDirectory(home, "data"),
                "-Dquarkus.grpc.server.port=" + grpcPort, "-Dquarkus.http.port=" + ports.get(0),
                "-Dcxg.audit.tiles-port=" + ports.get(1));
    }

    /** @param ports the gRPC port and the HTTP port */
    private static Exit scorerConnector(Path pki, List<Integer> ports) throws Exception {
        return run(repo.resolve("private-scorer-connector/target/quarkus-app/quarkus-run.jar"),
                "-Dcxg.member=alpha-credit", "-Dcxg.pki.dir=" + pki, "-Dcxg.platform.base-url=http://127.0.0.1:9",
                "-Dquarkus.grpc.server.port=" + ports.get(0), "-Dquarkus.http.port=" + ports.get(1));
    }

    private static Exit cxg(Map<String, String> env, String command) throws Exception {
        return Checkout.script(home, env, Duration.ofMinutes(5), "cxg", command);
    }

    private static Exit run(Path jar, String... properties) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", jar.toString()));
        Path out = Files.createTempFile(home, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            fail(jar.getFileName() + " still runs two minutes after a failed start:\n" + Files.readString(out));
        }
        return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /**
     * No stack trace reports the failure. Vert.x's warning that an event loop was blocked for over 2 s, with that loop's
     * stack, is left out: a start on a loaded machine can draw it, and it is not how the failure is reported.
     */
    private static void assertNoStackTrace(Exit exit) {
        String output = BLOCKED_LOOP_WARNING.matcher(exit.output()).replaceAll("");
        assertFalse(STACK_FRAME.matcher(output).find(), "a stack trace in:\n" + exit.output());
    }
}
