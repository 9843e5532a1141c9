package cxg.agency.cli;

import cxg.agency.gateway.CredentialsUnavailableException;
import cxg.agency.gateway.FailureKind;
import cxg.agency.gateway.GatewayClient;
import cxg.agency.gateway.GatewayFailure;
import cxg.agency.gateway.GatewaySettings;
import cxg.agency.gateway.RestrictionOutcome;
import cxg.agency.query.QueryInput;
import cxg.agency.report.ErrorView;
import cxg.agency.report.RestrictionView;
import cxg.v1.RestrictionCheck;
import cxg.v1.ScoreQuery;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Ask the gateway whether a subject is under a restriction (yes/no, the measure and its dates only).")
final class CheckCommand implements Callable<Integer> {

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

    @Option(names = "--purpose", paramLabel = "PURPOSE", defaultValue = "travel-restriction-check",
            description = "Legal purpose (default: ${DEFAULT-VALUE}).")
    String purpose;

    @Option(names = "--json", description = "Print the answer as JSON (the REST API's format).")
    boolean json;

    @Mixin
    GatewayOptions connection;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long to wait for the gateway, e.g. 10s or 500ms (default: ${DEFAULT-VALUE}).")
    String deadline;

    CheckCommand(Map<String, String> settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() {
        QueryInput.Result input = QueryInput.of(subject, subjectKind, purpose, null, null);
        if (!input.isValid()) {
            return fail(new GatewayFailure(FailureKind.INVALID_ARGUMENT, QueryCommand.flagOf(input.error().field()),
                    input.error().message(), null));
        }
        GatewaySettings gatewaySettings;
        try {
            gatewaySettings = connection.settings(settings, member, deadline);
        } catch (BadOption e) {
            return fail(new GatewayFailure(FailureKind.INVALID_ARGUMENT, e.flag, e.getMessage(), null));
        }
        ScoreQuery q = input.input().toProto();
        RestrictionCheck check = RestrictionCheck.newBuilder().setSubject(q.getSubject()).setPurpose(q.getPurpose()).build();
        RestrictionOutcome outcome;
        try (GatewayClient client = GatewayClient.open(gatewaySettings)) {
            outcome = client.checkRestriction(check);
        } catch (CredentialsUnavailableException e) {
            GatewayFailure f = e.failure();
            return fail(new GatewayFailure(f.kind(), QueryCommand.flagOf(f.field()), f.message(), f.rule()));
        }
        if (outcome instanceof RestrictionOutcome.Failed failed) {
            return fail(failed.failure());
        }
        RestrictionView view = RestrictionView.of(((RestrictionOutcome.Answered) outcome).answer());
        spec.commandLine().getOut().print(json ? QueryCommand.toJson(view) + "\n" : view.render());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    private int fail(GatewayFailure failure) {
        spec.commandLine().getErr().println("cxg: " + AgencyCli.oneLine(QueryCommand.describe(failure)));
        if (json) {
            spec.commandLine().getOut().println(QueryCommand.toJson(new ErrorView(failure.kind().name(), failure.field(),
                    failure.message(), failure.rule())));
        }
        return ExitCodes.of(failure.kind());
    }
}
