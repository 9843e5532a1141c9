package cxg.agency.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import cxg.agency.gateway.CredentialsUnavailableException;
import cxg.agency.gateway.FailureKind;
import cxg.agency.gateway.GatewayClient;
import cxg.agency.gateway.GatewayFailure;
import cxg.agency.gateway.GatewaySettings;
import cxg.agency.gateway.QueryOutcome;
import cxg.agency.query.QueryInput;
import cxg.agency.report.ErrorView;
import cxg.agency.report.ReportView;
import cxg.agency.report.TextReport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Ask the gateway for the scores of one subject, for a stated purpose.")
final class QueryCommand implements Callable<Integer> {

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

    @Mixin
    GatewayOptions connection;

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
        GatewaySettings settings;
        try {
            settings = connection.settings(this.settings, member, deadline);
        } catch (BadOption e) {
            return fail(new GatewayFailure(FailureKind.INVALID_ARGUMENT, e.flag, e.getMessage(), null));
        }
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

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report is not serialisable", e);
        }
    }
}
