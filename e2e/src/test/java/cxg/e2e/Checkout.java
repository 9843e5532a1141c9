package cxg.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** {@code ./cxg pki init} into {@code home}/pki, with the jars as built. */
    static void devPki(Path home) throws Exception {
        Path out = home.resolve("pki-init.txt");
        ProcessBuilder pki = new ProcessBuilder(root().resolve("cxg").toString(), "pki", "init").directory(root().toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pki.environment().put("CXG_HOME", home.toString());
        pki.environment().put("CXG_NO_BUILD", "1");
        Process p = pki.start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0, Files.readString(out));
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
