package cxg.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cxg.e2e.Checkout.Exit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keycloak/keycloak.sh prepare}, which ./cxg runs during its build so that Keycloak's first start need not build
 * the distribution, against a stand-in distribution whose {@code kc.sh} prints what Keycloak's start-dev prints and
 * records its arguments. The real Keycloak's starts are covered by every test that gets a token.
 */
class KeycloakScriptIT {

    private static final Set<String> BUILD_TIME = Set.of("--db", "--db-driver", "--transaction-xa-enabled", "--features",
            "--features-disabled", "--http-relative-path", "--https-client-auth", "--health-enabled", "--http-management-health-enabled",
            "--http-management-relative-path", "--https-management-client-auth", "--legacy-observability-interface", "--metrics-enabled",
            "--vault", "--log-mdc-enabled", "--telemetry-logs-enabled", "--telemetry-metrics-enabled", "--tracing-enabled",
            "--tracing-jdbc-enabled", "--tracing-sampler-type", "--event-metrics-user-enabled", "--fips-mode", "--openapi-enabled",
            "--openapi-ui-enabled");

    @TempDir
    static Path pkiHome;
    @TempDir
    Path home;

    @BeforeAll
    static void devPki() throws Exception {
        Checkout.devPki(pkiHome);
    }

    @Test
    void prepareStopsStartDevOnceItsBuildIsDoneAndStartPassesTheSameBuildOptionsAndStops() throws Exception {
        Path args = home.resolve("kc-args.txt");
        Path dist = Checkout.keycloakStandIn(home.resolve("tools"), """
                echo $$ > "$KC_ARGS.pid"
                echo "$@" >> "$KC_ARGS"
                echo "Updating the configuration and installing your custom providers, if any. Please wait."
                echo "Running the server in development mode. DO NOT use this configuration in production."
                exec sleep 600
                """);
        Map<String, String> env = Map.of("KC_ARGS", args.toString());

        Exit prepared = script(env, "prepare");

        assertEquals(0, prepared.code(), prepared.output());
        assertTrue(prepared.output().contains("building Keycloak " + Checkout.keycloakVersion() + " for dev mode (once per CXG_HOME)"), prepared.output());
        List<String> built = Files.readAllLines(args);
        assertEquals(1, built.size(), "one build");
        assertTrue(built.get(0).startsWith("start-dev "), built.get(0));
        long pid = Long.parseLong(Files.readString(Path.of(args + ".pid")).strip());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the build's Keycloak is stopped");
        assertTrue(Files.exists(dist.resolve(".cxg-dev-build")), "the distribution is marked as built");

        Exit again = script(env, "prepare");

        assertEquals(0, again.code(), again.output());
        assertEquals(1, Files.readAllLines(args).size(), "a built distribution is not built again");

        Path run = Files.createDirectories(home.resolve("run"));
        Map<String, String> startEnv = new HashMap<>(env);
        startEnv.put("CXG_KEYCLOAK_RUN_DIR", run.toString());
        try {
            Exit started = script(startEnv, "start", "18081", "18444", "19001", pkiHome.resolve("pki").toString());
            assertEquals(0, started.code(), started.output());
            List<String> lines = awaitLines(args, 2);
            // start-dev builds the distribution again unless its build-time options are the ones prepare built with
            assertEquals(buildOptions(built.get(0)), buildOptions(lines.get(1)), "prepare: " + built.get(0) + "\nstart: " + lines.get(1));
            assertTrue(buildOptions(lines.get(1)).contains("--https-client-auth=request"), lines.get(1));

            Exit stopped = script(startEnv, "stop");

            assertEquals(0, stopped.code(), stopped.output());
            long startedPid = Long.parseLong(Files.readString(Path.of(args + ".pid")).strip());
            assertFalse(ProcessHandle.of(startedPid).map(ProcessHandle::isAlive).orElse(false), "the started Keycloak is stopped");
        } finally {
            script(startEnv, "stop");
        }
    }

    @Test
    void aFailedBuildNamesItsLogAndLeavesTheDistributionUnmarked() throws Exception {
        Path dist = Checkout.keycloakStandIn(home.resolve("tools"), """
                echo "ERROR: something Keycloak could not do"
                exit 3
                """);

        Exit prepared = script(Map.of(), "prepare");

        Path log = home.resolve("tools/keycloak-prepare.log");
        assertEquals(1, prepared.code(), prepared.output());
        assertTrue(prepared.output().contains("keycloak: could not build Keycloak for dev mode; see " + log
                + " (start builds it instead)"), prepared.output());
        assertTrue(Files.readString(log).contains("ERROR: something Keycloak could not do"), "the log is kept");
        assertFalse(Files.exists(dist.resolve(".cxg-dev-build")));
    }

    /** The build-time options among kc.sh's arguments, by the names Keycloak 26.5.6's {@code kc.sh build --help-all} lists. */
    private static Set<String> buildOptions(String args) {
        return Arrays.stream(args.split(" ")).filter(a -> BUILD_TIME.contains(a.split("=", 2)[0])).collect(Collectors.toSet());
    }

    private Exit script(Map<String, String> env, String... args) throws Exception {
        Map<String, String> withHome = new HashMap<>(env);
        withHome.put("CXG_HOME", home.toString());
        return Checkout.script(home, withHome, Duration.ofMinutes(1), "keycloak/keycloak.sh", args);
    }

    private static List<String> awaitLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= count) {
                return lines;
            }
            Thread.sleep(100);
        }
        return fail("kc.sh was not started " + count + " times: " + (Files.exists(file) ? Files.readString(file) : "no " + file));
    }
}
