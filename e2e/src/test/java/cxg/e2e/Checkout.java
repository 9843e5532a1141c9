package cxg.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The checkout under test (system property {@code cxg.repo}, set by the build) and what the tests make with its ./cxg. */
final class Checkout {

    private Checkout() {
    }

    /** How a command the test ran ended: its exit status and what it printed (stdout and stderr together). */
    record Exit(int code, String output) {
    }

    static Path root() throws Exception {
        return Path.of(System.getProperty("cxg.repo", "..")).toRealPath();
    }

    /**
     * Runs {@code script} (a path in the checkout, e.g. {@code cxg}) with {@code args} from the checkout root, with
     * {@code env} added to the environment and its output in a file in {@code scratch}; fails the test, after stopping
     * it, when it has not ended within {@code limit}.
     */
    static Exit script(Path scratch, Map<String, String> env, Duration limit, String script, String... args) throws Exception {
        Path out = Files.createTempFile(scratch, Path.of(script).getFileName() + "-", ".txt");
        List<String> command = new ArrayList<>(List.of(root().resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root().toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            fail(script + " " + String.join(" ", args) + " did not finish within " + limit.toSeconds() + " s:\n" + Files.readString(out));
        }
        return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** {@code ./cxg pki init} into {@code home}/pki, with the jars as built. */
    static void devPki(Path home) throws Exception {
        Exit init = script(home, Map.of("CXG_HOME", home.toString(), "CXG_NO_BUILD", "1"), Duration.ofMinutes(2), "cxg", "pki", "init");
        assertEquals(0, init.code(), init.output());
    }

    /**
     * A Keycloak distribution in {@code tools} (keycloak.sh's CXG_HOME/tools), of the version it expects and already
     * unpacked, whose bin/kc.sh is a shell script running {@code kcSh}; returns its directory.
     */
    static Path keycloakStandIn(Path tools, String kcSh) throws Exception {
        Path dist = tools.resolve("keycloak-" + keycloakVersion());
        for (String dir : List.of("bin", "conf", "lib", "providers", "themes")) {
            Files.createDirectories(dist.resolve(dir));
        }
        Path kc = Files.writeString(dist.resolve("bin/kc.sh"), "#!/bin/sh\n" + kcSh);
        assertTrue(kc.toFile().setExecutable(true), "kc.sh made executable");
        return dist;
    }

    /** The Keycloak version keycloak/keycloak.sh unpacks and starts ({@code KC_VERSION}). */
    static String keycloakVersion() throws Exception {
        Matcher version = Pattern.compile("(?m)^KC_VERSION=([0-9.]+)$").matcher(Files.readString(root().resolve("keycloak/keycloak.sh")));
        assertTrue(version.find(), "KC_VERSION in keycloak/keycloak.sh");
        return version.group(1);
    }
}
