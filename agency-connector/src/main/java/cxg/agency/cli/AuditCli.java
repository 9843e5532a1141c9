package cxg.agency.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.Timestamp;
import cxg.agency.gateway.AuditClient;
import cxg.agency.gateway.CredentialsUnavailableException;
import cxg.agency.gateway.GatewayFailure;
import cxg.v1.AuditDecision;
import cxg.v1.AuditFilter;
import cxg.v1.AuditRecord;
import cxg.v1.ConsistencyProof;
import cxg.v1.ExportRequest;
import cxg.v1.ExportResponse;
import cxg.v1.InclusionProof;
import cxg.v1.ListEntriesRequest;
import cxg.v1.ListEntriesResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectReportRequest;
import cxg.v1.SubjectReportResponse;
import cxg.v1.Withheld;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cxg audit events|report|export}: reads the gateway's audit log as the {@code auditor} member
 * (or an agency, which sees only its own entries), over mutual TLS with the member's certificate-bound
 * token, like {@code cxg agency query}. {@code cxg audit verify} is the separate, independent verifier.
 * Exit codes: 0 ok, 2 invalid input, 3 denied, 4 unavailable or timed out, 1 anything else.
 */
@Command(name = "cxg audit", mixinStandardHelpOptions = true,
        description = "Read the cxg audit log: events, subject access reports, exports for `cxg audit verify`.")
public final class AuditCli implements Runnable {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern RELATIVE = Pattern.compile("(\\d+)([smhd])");

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        QuietLogging.install();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err, settings(), Clock.systemUTC());
        out.flush();
        err.flush();
        System.exit(code);
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> settings, Clock clock) {
        CommandLine cli = new CommandLine(new AuditCli())
                .addSubcommand("events", new Events(settings, clock))
                .addSubcommand("report", new Report(settings, clock))
                .addSubcommand("export", new Export(settings, clock))
                .addSubcommand("checkpoint", new CheckpointCommand(settings, clock))
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((e, a) -> {
                    String command = e.getCommandLine().getCommandSpec().qualifiedName();
                    e.getCommandLine().getErr().println("cxg: " + AgencyCli.oneLine(e.getMessage()) + " (see '" + command + " --help')");
                    return ExitCodes.USAGE;
                })
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println("cxg: internal error (" + e.getClass().getSimpleName() + ")");
                    return ExitCodes.OTHER;
                });
        return cli.execute(args);
    }

    private static Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>(System.getenv());
        for (String property : new String[] {"cxg.pki.dir", "cxg.gateway.address"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                settings.put(property, value);
            }
        }
        return settings;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: events, report or export (verify is `cxg audit verify`)");
    }

    /** Options every audit subcommand shares: who to act as and which gateway to call. */
    static final class Connection {
        @Option(names = "--as", paramLabel = "MEMBER", defaultValue = "auditor",
                description = "Member to act as (default: ${DEFAULT-VALUE}); an agency sees only its own entries.")
        String member;

        @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "30s",
                description = "How long to wait for each answer (default: ${DEFAULT-VALUE}).")
        String deadline;

        @Mixin
        GatewayOptions gateway;
    }

    /** The shared run of a subcommand: parse the connection options, call, report failures in one line. */
    abstract static class AuditCommand implements Callable<Integer> {
        final Map<String, String> settings;
        final Clock clock;

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        AuditCommand(Map<String, String> settings, Clock clock) {
            this.settings = settings;
            this.clock = clock;
        }

        abstract int run(AuditClient client);

        /** Checks local input before connecting. */
        void validate() throws BadOption {
        }

        @Override
        public Integer call() {
            try {
                validate();
                try (AuditClient client = AuditClient.open(connection.gateway.settings(settings, connection.member, connection.deadline))) {
                    return run(client);
                } catch (CredentialsUnavailableException e) {
                    return fail(e.failure());
                }
            } catch (BadOption e) {
                spec.commandLine().getErr().println("cxg: invalid " + e.flag + ": " + AgencyCli.oneLine(e.getMessage()));
                return ExitCodes.USAGE;
            }
        }

        /** The answer, or null after reporting the failure (then {@link #failed} holds the exit code). */
        <T> T answer(AuditClient client, Function<cxg.v1.AuditServiceGrpc.AuditServiceBlockingStub, T> call) {
            AuditClient.Result<T> result = client.call(call);
            if (result instanceof AuditClient.Result.Failed<T> f) {
                failed = fail(f.failure());
                return null;
            }
            return ((AuditClient.Result.Answered<T>) result).value();
        }

        int failed = ExitCodes.OTHER;

        int fail(GatewayFailure f) {
            String line = QueryCommand.describe(new GatewayFailure(f.kind(), flagOf(f.field()), f.message(), f.rule()));
            spec.commandLine().getErr().println("cxg: " + AgencyCli.oneLine(line));
            return ExitCodes.of(f.kind());
        }

        void print(String text) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        }

        Timestamp time(String flag, String value) throws BadOption {
            Instant t = parseTime(value, clock);
            if (t == null) {
                throw new BadOption(flag, "not a time such as 2026-11-26T01:00:00Z, 2026-11-26 or 2h (ago): '" + value + "'");
            }
            return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
        }
    }

    /** Names a field the gateway refused by the option the user typed. */
    static String flagOf(String field) {
        if (field == null) {
            return null;
        }
        return switch (field) {
            case "filter.subject", "filter.subject.value", "filter.subject.kind", "subject", "subject.value", "subject.kind" -> "--subject";
            case "filter.member", "member" -> "--member";
            case "filter.purpose" -> "--purpose";
            case "filter.decision" -> "--decision";
            case "filter.since", "since" -> "--since";
            case "filter.until", "until" -> "--until";
            case "pkiDir" -> "--pki-dir";
            default -> field;
        };
    }

    /** An instant, a date (midnight UTC), or a span ago such as 30m, 2h, 7d; null if none of these. */
    static Instant parseTime(String text, Clock clock) {
        String s = text.strip();
        Matcher m = RELATIVE.matcher(s.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                Duration d = switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return clock.instant().minus(d);
            }
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(s);
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    /** The filter options of events and export. */
    static final class FilterOptions {
        @Option(names = "--member", paramLabel = "MEMBER", description = "Only entries of this member.")
        String member;

        @Option(names = "--subject", paramLabel = "ID", description = "Only entries about this subject (hashed by the gateway).")
        String subject;

        @Option(names = "--purpose", paramLabel = "PURPOSE", description = "Only entries with this purpose.")
        String purpose;

        @Option(names = "--decision", paramLabel = "ALLOW|DENY", description = "Only allowed or only denied requests.")
        String decision;

        @Option(names = "--since", paramLabel = "T", description = "From this time: 2026-11-26T01:00:00Z, 2026-11-26, or 2h (ago).")
        String since;

        @Option(names = "--until", paramLabel = "T", description = "Before this time (same forms as --since).")
        String until;

        AuditFilter toProto(AuditCommand command) throws BadOption {
            AuditFilter.Builder f = AuditFilter.newBuilder();
            if (member != null) {
                f.setMember(member.strip());
            }
            if (subject != null) {
                f.setSubject(SubjectId.newBuilder().setValue(subject.strip()));
            }
            if (purpose != null) {
                f.setPurpose(purpose.strip());
            }
            if (decision != null) {
                switch (decision.strip().toUpperCase(Locale.ROOT)) {
                    case "ALLOW" -> f.setDecision(AuditDecision.ALLOW);
                    case "DENY" -> f.setDecision(AuditDecision.DENY);
                    default -> throw new BadOption("--decision", "must be ALLOW or DENY: '" + decision + "'");
                }
            }
            if (since != null) {
                f.setSince(command.time("--since", since));
            }
            if (until != null) {
                f.setUntil(command.time("--until", until));
            }
            return f.build();
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "List audit entries, oldest first.")
    static final class Events extends AuditCommand {
        @Mixin
        FilterOptions filter;

        @Option(names = "--json", description = "Print the entries as a JSON array.")
        boolean json;

        private AuditFilter f;

        Events(Map<String, String> settings, Clock clock) {
            super(settings, clock);
        }

        @Override
        void validate() throws BadOption {
            f = filter.toProto(this);
        }

        @Override
        int run(AuditClient client) {
            List<AuditRecord> records = new ArrayList<>();
            String token = "";
            do {
                ListEntriesRequest request = ListEntriesRequest.newBuilder().setFilter(f).setPageSize(1000).setPageToken(token).build();
                ListEntriesResponse page = answer(client, s -> s.listEntries(request));
                if (page == null) {
                    return failed;
                }
                records.addAll(page.getEntriesList());
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            if (json) {
                print(toJson(records.stream().map(AuditCli::view).toList()) + "\n");
            } else {
                StringBuilder out = new StringBuilder();
                for (AuditRecord r : records) {
                    out.append(eventLine(r)).append('\n');
                }
                out.append(records.size()).append(records.size() == 1 ? " entry\n" : " entries\n");
                print(out.toString());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Subject access report: who accessed this subject's data, when, why, what was served and withheld.")
    static final class Report extends AuditCommand {
        @Option(names = "--subject", required = true, paramLabel = "ID", description = "Resident identity number or unified social credit code.")
        String subject;

        @Option(names = "--since", paramLabel = "T", description = "From this time: 2026-11-26T01:00:00Z, 2026-11-26, or 2h (ago).")
        String since;

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        private SubjectReportRequest request;

        Report(Map<String, String> settings, Clock clock) {
            super(settings, clock);
        }

        @Override
        void validate() throws BadOption {
            SubjectReportRequest.Builder r = SubjectReportRequest.newBuilder()
                    .setSubject(SubjectId.newBuilder().setValue(subject.strip()));
            if (since != null) {
                r.setSince(time("--since", since));
            }
            request = r.build();
        }

        @Override
        int run(AuditClient client) {
            SubjectReportResponse report = answer(client, s -> s.subjectReport(request));
            if (report == null) {
                return failed;
            }
            if (json) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("subject", report.getSubjectMasked());
                v.put("treeSize", report.getTreeSize());
                v.put("accesses", report.getAccessesList().stream().map(AuditCli::view).toList());
                print(toJson(v) + "\n");
            } else {
                print(reportText(report));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the matching entries with a signed tree head and inclusion proofs (cxg-audit-export/v1) to stdout, for `cxg audit verify --export`.")
    static final class Export extends AuditCommand {
        @Mixin
        FilterOptions filter;

        @Option(names = "--trusted-size", paramLabel = "N", split = ",",
                description = "Tree sizes you already trust: the export proves the log only grew since (consistency proofs).")
        List<Long> trusted;

        private ExportRequest request;

        Export(Map<String, String> settings, Clock clock) {
            super(settings, clock);
        }

        @Override
        void validate() throws BadOption {
            request = ExportRequest.newBuilder().setFilter(filter.toProto(this))
                    .addAllTrustedSizes(trusted == null ? List.of() : trusted).build();
        }

        @Override
        int run(AuditClient client) {
            ExportResponse export = answer(client, s -> s.export(request));
            if (export == null) {
                return failed;
            }
            print(exportJson(export) + "\n");
            spec.commandLine().getErr().println("cxg: exported " + export.getEntriesCount() + " entries with inclusion proofs at tree size "
                    + export.getCheckpoint().getTreeSize());
            return ExitCodes.OK;
        }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true,
            description = "Print the latest signed tree head (C2SP checkpoint), or sign one of the current tree now.")
    static final class CheckpointCommand extends AuditCommand {
        @Option(names = "--sign-now", description = "Sign a checkpoint of the current tree instead of showing the latest.")
        boolean signNow;

        CheckpointCommand(Map<String, String> settings, Clock clock) {
            super(settings, clock);
        }

        @Override
        int run(AuditClient client) {
            cxg.v1.AuditCheckpoint cp = answer(client, s -> s.latestCheckpoint(cxg.v1.CheckpointRequest.newBuilder().setSignNow(signNow).build()));
            if (cp == null) {
                return failed;
            }
            print(cp.getNote());
            return ExitCodes.OK;
        }
    }

    /** The export in the verifier's format {@code cxg-audit-export/v1} (audit-verifier/README.md). */
    static String exportJson(ExportResponse e) {
        Base64.Encoder b64 = Base64.getEncoder();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", "cxg-audit-export/v1");
        out.put("checkpoint", e.getCheckpoint().getNote());
        List<Object> entries = new ArrayList<>();
        for (InclusionProof p : e.getEntriesList()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("index", p.getIndex());
            x.put("data", b64.encodeToString(p.getData().toByteArray()));
            x.put("proof", p.getProofList().stream().map(h -> b64.encodeToString(h.toByteArray())).toList());
            entries.add(x);
        }
        out.put("entries", entries);
        List<Object> consistency = new ArrayList<>();
        for (ConsistencyProof c : e.getConsistencyList()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("from", c.getFromSize());
            x.put("to", c.getToSize());
            x.put("proof", c.getProofList().stream().map(h -> b64.encodeToString(h.toByteArray())).toList());
            consistency.add(x);
        }
        out.put("consistency", consistency);
        return toJson(out);
    }

    static Map<String, Object> view(AuditRecord r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("index", r.getIndex());
        v.put("time", instant(r.getTime()).toString());
        v.put("member", r.getMember());
        v.put("role", r.getRole());
        v.put("service", r.getService());
        v.put("method", r.getMethod());
        v.put("purpose", r.getPurpose());
        v.put("subject", r.getSubjectMasked());
        v.put("subjectHmac", r.getSubjectHmac());
        v.put("categoriesRequested", r.getCategoriesRequestedList());
        v.put("categoriesServed", r.getCategoriesServedList());
        v.put("disclosure", r.getDisclosure() == cxg.v1.Disclosure.DISCLOSURE_UNSPECIFIED ? "" : r.getDisclosure().name());
        v.put("decision", r.getDecision() == AuditDecision.AUDIT_DECISION_UNSPECIFIED ? "" : r.getDecision().name());
        v.put("rule", r.getRule());
        v.put("withheld", r.getWithheldList().stream().map(w -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("platform", w.getPlatform());
            x.put("field", w.getField());
            x.put("category", w.getCategory());
            x.put("reason", w.getReason());
            return x;
        }).toList());
        v.put("requestId", r.getRequestId());
        v.put("outcome", r.getOutcome());
        if (r.hasBatch()) {
            v.put("batch", Map.of("items", r.getBatch().getItems(), "accepted", r.getBatch().getAccepted(),
                    "rejected", r.getBatch().getRejected(), "subjectHmacs", r.getBatch().getSubjectHmacsList()));
        }
        return v;
    }

    static String eventLine(AuditRecord r) {
        StringBuilder s = new StringBuilder();
        s.append('#').append(r.getIndex()).append("  ").append(instant(r.getTime())).append("  ")
                .append(r.getMember()).append(r.getRole().isEmpty() ? "" : " (" + r.getRole() + ")").append("  ")
                .append(r.getService().replaceFirst("^cxg\\.v1\\.", "")).append('/').append(r.getMethod());
        if (!r.getPurpose().isEmpty()) {
            s.append("  ").append(r.getPurpose());
        }
        if (!r.getSubjectMasked().isEmpty()) {
            s.append("  ").append(r.getSubjectMasked());
        }
        if (r.getDecision() != AuditDecision.AUDIT_DECISION_UNSPECIFIED) {
            s.append("  ").append(r.getDecision().name()).append(r.getRule().isEmpty() ? "" : " by " + r.getRule());
        }
        if (r.hasBatch()) {
            s.append("  batch ").append(r.getBatch().getItems()).append(" items (").append(r.getBatch().getAccepted())
                    .append(" accepted, ").append(r.getBatch().getRejected()).append(" rejected)");
        }
        s.append("  -> ").append(r.getOutcome());
        return s.toString();
    }

    static String reportText(SubjectReportResponse report) {
        StringBuilder s = new StringBuilder();
        int n = report.getAccessesCount();
        s.append("Subject access report for ").append(report.getSubjectMasked()).append(": ")
                .append(n).append(n == 1 ? " request" : " requests").append(" about this subject (log size ")
                .append(report.getTreeSize()).append(")\n");
        for (AuditRecord r : report.getAccessesList()) {
            s.append('\n').append(instant(r.getTime())).append("  ").append(r.getMember());
            if (r.hasBatch()) {
                s.append(" submitted data about the subject (").append(r.getMethod()).append(")\n");
            } else {
                s.append(" asked").append(r.getPurpose().isEmpty() ? "" : " for " + r.getPurpose()).append('\n');
            }
            if (r.getDecision() != AuditDecision.AUDIT_DECISION_UNSPECIFIED) {
                s.append("    decision:  ").append(r.getDecision() == AuditDecision.ALLOW ? "allowed" : "denied")
                        .append(r.getRule().isEmpty() ? "" : " by " + r.getRule())
                        .append(r.getDisclosure() == cxg.v1.Disclosure.DISCLOSURE_UNSPECIFIED ? "" : ", disclosure " + r.getDisclosure().name())
                        .append('\n');
            }
            if (!r.hasBatch()) {
                s.append("    served:    ").append(served(r)).append('\n');
            }
            for (Withheld w : r.getWithheldList()) {
                s.append("    withheld:  ").append(w.getPlatform()).append(' ').append(w.getField())
                        .append(w.getCategory().isEmpty() ? "" : " [" + w.getCategory() + "]")
                        .append(w.getReason().isEmpty() ? "" : " (" + w.getReason() + ")").append('\n');
            }
            s.append("    outcome:   ").append(r.getOutcome()).append(r.getRequestId().isEmpty() ? "" : ", request " + r.getRequestId())
                    .append(", log entry #").append(r.getIndex()).append('\n');
        }
        return s.toString();
    }

    /** What left the gateway, in words: a query's answer depends on its disclosure; factors name their categories. */
    static final String RESTRICTION_CHECK = "CheckRestriction";

    static String served(AuditRecord r) {
        boolean answered = r.getDecision() == AuditDecision.ALLOW && r.getOutcome().equals("OK");
        String categories = String.join(", ", r.getCategoriesServedList());
        if (!answered) {
            return "nothing";
        }
        if (r.getMethod().equals(RESTRICTION_CHECK)) {
            // the answer says whether a measure in these categories is in force, with its measure and dates
            return "restriction yes/no with measures and dates" + (categories.isEmpty() ? "" : ", from " + categories);
        }
        return switch (r.getDisclosure()) {
            case TIER_ONLY -> "tier only";
            case SCORE -> "tier and score";
            case FULL -> categories.isEmpty() ? "tier and score (no factors)" : "tier, score and factors in " + categories;
            default -> categories.isEmpty() ? "an answer" : categories;
        };
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable", e);
        }
    }
}
