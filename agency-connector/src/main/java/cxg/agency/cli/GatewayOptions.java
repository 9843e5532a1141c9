package cxg.agency.cli;

import cxg.agency.gateway.GatewayEndpoint;
import cxg.agency.gateway.GatewaySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The options of every command that calls the gateway, and the checks made on them before anything is
 * sent. {@code --as} and {@code --deadline} stay with each command: their defaults differ (a query acts
 * as no one by default and waits 10 s; the audit commands act as the auditor and wait 30 s for a page).
 */
final class GatewayOptions {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s)");

    @Option(names = "--gateway", paramLabel = "HOST:PORT",
            description = "Gateway address (default: -Dcxg.gateway.address, $CXG_GATEWAY_ADDRESS, else 127.0.0.1:7443).")
    String gateway;

    @Option(names = "--pki-dir", paramLabel = "DIR",
            description = "Directory with ca.crt and the member certificates (default: -Dcxg.pki.dir, $CXG_HOME/pki, else .cxg/pki).")
    Path pkiDir;

    /** How to call the gateway as {@code member}, waiting at most {@code deadline} for each answer. */
    GatewaySettings settings(Map<String, String> env, String member, String deadline) throws BadOption {
        String address = gatewayAddress(env, gateway);
        GatewayEndpoint endpoint = GatewayEndpoint.parse(address)
                .orElseThrow(() -> new BadOption("--gateway", "not HOST:PORT: '" + address + "'"));
        Duration timeout = parseDuration(deadline)
                .orElseThrow(() -> new BadOption("--deadline", "not a duration such as 10s or 500ms: '" + deadline + "'"));
        return new GatewaySettings(member, resolvePkiDir(env, pkiDir), endpoint, timeout);
    }

    /** --gateway, else -Dcxg.gateway.address, else $CXG_GATEWAY_ADDRESS, else the demo's 127.0.0.1:7443. */
    static String gatewayAddress(Map<String, String> env, String flag) {
        return flag != null ? flag : env.getOrDefault("cxg.gateway.address", env.getOrDefault("CXG_GATEWAY_ADDRESS", "127.0.0.1:7443"));
    }

    static Path resolvePkiDir(Map<String, String> env, Path pkiDir) {
        if (pkiDir != null) {
            return pkiDir;
        }
        if (env.get("cxg.pki.dir") != null) {
            return Path.of(env.get("cxg.pki.dir"));
        }
        String home = env.get("CXG_HOME");
        return home != null && !home.isBlank() ? Path.of(home, "pki") : Path.of(".cxg", "pki");
    }

    static Optional<Duration> parseDuration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        try {
            Duration d = m.matches()
                    ? (m.group(2).equals("ms") ? Duration.ofMillis(Long.parseLong(m.group(1))) : Duration.ofSeconds(Long.parseLong(m.group(1))))
                    : Duration.parse(text.strip());
            return d.isNegative() || d.isZero() ? Optional.empty() : Optional.of(d);
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
