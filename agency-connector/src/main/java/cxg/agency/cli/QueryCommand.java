package cxg.agency.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import cxg.agency.gateway.CredentialsUnavailableException;
import cxg.agency.gateway.FailureKind;
import cxg.agency.gateway.GatewayClient;
import cxg.agency.gateway.GatewayEndpoint;
import cxg.agency.gateway.GatewayFailure;
import cxg.agency.gateway.GatewaySettings;
import cxg.agency.gateway.QueryOutcome;
import cxg.agency.query.QueryInput;
import cxg.agency.report.ErrorView;
import cxg.agency.report.ReportView;
import cxg.agency.report.TextReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Ask the gateway for the scores of one subject, for a stated purpose.")
final class QueryCommand implements Callable<Integer> {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s)");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, String> settings;

    @Spec
    CommandSpec spec;

    @Option(names = "--as", required = true, paramLabel = "MEMBER",
            description = "Member to act as; its certificate is MEMBER.crt/.key or MEMBER.p12 in the PKI directory.")
    String member;

    @Option(names = "--subject", required = true, paramLabel = "ID",
            description = "Resident identity number or unified social credit code.")
    String subject;

    @Option(names = "--subject-kind", paramLabel = "KIND",
            description = "RESIDENT_ID or UNIFIED_SOCIAL_CREDIT_CODE (default: inferred from the identifier).")
    String subjectKind;

    @Option(names = "--purpose", required = true, paramLabel = "PURPOSE", description = "Legal purpose, e.g. court-enforcement.")
    String purpose;

    @Option(names = "--categories", split = ",", paramLabel = "CATEGORY",
            description = "Data categories, comma-separated (default: all the agreement grants).")
    List<String> categories;

    @Option(names = "--disclosure", paramLabel = "LEVEL",
            description = "TIER_ONLY, SCORE or FULL (default: the most the agreement grants).")
    String disclosure;

    @Option(names = "--json", description = "Print the report as JSON (the REST API's format).")
    boolean json;

    @Option(names = "--gateway", paramLabel = "HOST:PORT",
            description = "Gateway address (default: -Dcxg.gateway.address, $CXG_GATEWAY_ADDRESS, else 127.0.0.1:7443).")
    String gateway;

    @Option(names = "--pki-dir", paramLabel = "DIR",
            description = "Directory with ca.crt and the member certificates (default: -Dcxg.pki.dir, $CXG_HOME/pki, else .cxg/pki).")
    Path pkiDir;

    /** Generous: a one-shot command pays for class loading and the TLS handshake inside the deadline. */
    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long to wait for the gateway, e.g. 10s or 500ms (default: ${DEFAULT-VALUE}).")
    String deadline;

    /** Demo aid (hidden): presents --as's certificate with another member's token, which the gateway must refuse. */
    @Option(names = "--demo-token-of", hidden = true, paramLabel = "MEMBER")
    String demoTokenOf;

    QueryCommand(Map<String, String> settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() {
        QueryInput.Result input = QueryInput.of(subject, subjectKind, purpose, categories, disclosure);
        if (!input.isValid()) {
            return fail(new GatewayFailure(FailureKind.INVALID_ARGUMENT, flagOf(input.error().field()),
                    input.error().message(), null));
        }
        String address = gatewayAddress(settings, gateway);
        Optional<GatewayEndpoint> endpoint = GatewayEndpoint.parse(address);
        if (endpoint.isEmpty()) {
            return fail(new GatewayFailure(FailureKind.INVALID_ARGUMENT, "--gateway", "not HOST:PORT: '" + address + "'", null));
        }
        Optional<Duration> timeout = parseDuration(deadline);
        if (timeout.isEmpty()) {
            return fail(new GatewayFailure(FailureKind.INVALID_ARGUMENT, "--deadline", "not a duration such as 3s or 500ms: '"
                    + deadline + "'", null));
        }
        GatewaySettings settings = new GatewaySettings(member, resolvePkiDir(), endpoint.get(), timeout.get());
        QueryOutcome outcome;
        try (GatewayClient client = demoTokenOf == null ? GatewayClient.open(settings)
                : GatewayClient.openWithTokenOf(settings, demoTokenOf)) {
            outcome = client.queryScore(input.input().toProto());
        } catch (CredentialsUnavailableException e) {
            GatewayFailure f = e.failure();
            return fail(new GatewayFailure(f.kind(), flagOf(f.field()), f.message(), f.rule()));
        }
        if (outcome instanceof QueryOutcome.Failed failed) {
            return fail(failed.failure());
        }
        ReportView report = ReportView.of(((QueryOutcome.Answered) outcome).report());
        spec.commandLine().getOut().print(json ? toJson(report) + "\n" : TextReport.render(report));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** Names a locally rejected input by the option the user typed. */
    static String flagOf(String field) {
        if (field == null) {
            return null;
        }
        return switch (field.replaceAll("\\[\\d+]$", "")) {
            case "subject" -> "--subject";
            case "subjectKind" -> "--subject-kind";
            case "purpose" -> "--purpose";
            case "categories" -> "--categories";
            case "disclosure" -> "--disclosure";
            case "member" -> "--as";
            case "pkiDir" -> "--pki-dir";
            default -> field;
        };
    }

    /** --gateway, else -Dcxg.gateway.address, else $CXG_GATEWAY_ADDRESS, else the demo's 127.0.0.1:7443. */
    static String gatewayAddress(Map<String, String> settings, String flag) {
        return flag != null ? flag : settings.getOrDefault("cxg.gateway.address", settings.getOrDefault("CXG_GATEWAY_ADDRESS", "127.0.0.1:7443"));
    }

    private Path resolvePkiDir() {
        return resolvePkiDir(settings, pkiDir);
    }

    static Path resolvePkiDir(Map<String, String> settings, Path pkiDir) {
        if (pkiDir != null) {
            return pkiDir;
        }
        if (settings.get("cxg.pki.dir") != null) {
            return Path.of(settings.get("cxg.pki.dir"));
        }
        String home = settings.get("CXG_HOME");
        return home != null && !home.isBlank() ? Path.of(home, "pki") : Path.of(".cxg", "pki");
    }

    /** Reports a failure in one line on stderr (and, with --json, as the REST API's error JSON on stdout). */
    private int fail(GatewayFailure failure) {
        spec.commandLine().getErr().println("cxg: " + AgencyCli.oneLine(describe(failure)));
        if (json) {
            spec.commandLine().getOut().println(toJson(new ErrorView(failure.kind().name(), failure.field(),
                    failure.message(), failure.rule())));
        }
        return ExitCodes.of(failure.kind());
    }

    static String describe(GatewayFailure f) {
        return switch (f.kind()) {
            case INVALID_ARGUMENT, CREDENTIALS -> "invalid " + (f.field() == null ? "request" : f.field()) + ": " + f.message();
            case PERMISSION_DENIED -> "denied" + (f.rule() == null ? "" : " by rule " + f.rule()) + ": " + f.message();
            case RESOURCE_EXHAUSTED -> "quota exhausted" + (f.rule() == null ? "" : " (rule " + f.rule() + ")") + ": " + f.message();
            case UNAUTHENTICATED -> "unauthenticated: " + f.message();
            case UNAVAILABLE -> "unavailable: " + f.message();
            case DEADLINE_EXCEEDED -> "timed out: " + f.message();
            case INTERNAL -> "error: " + f.message();
        };
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

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report is not serialisable", e);
        }
    }
}
