package cxg.gateway.query;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import cxg.gateway.policy.IdentityMemo;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.MemberKind;
import cxg.gateway.transport.Admission;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.PolicyDecision;
import cxg.v1.ReportedScore;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.Withheld;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Every score query, allowed, denied or invalid, is recorded in the audit log before its answer
 * leaves: the report is released only once its entry is durable. If the entry cannot be made
 * durable the caller gets UNAVAILABLE and nothing of the report (fail closed).
 *
 * <p>Under overload, work is done only for callers that still wait: a query whose caller has gone (cancelled,
 * or its deadline passed while it queued), or beyond the {@link Admission}'s limit of queries in flight, is
 * not validated, decided or fanned out; only its refusal is recorded (outcome {@code CANCELLED},
 * {@code DEADLINE_EXCEEDED} or {@code OVERLOADED}). A caller that goes while the platforms are asked gets an
 * entry with the policy decision, that outcome, and no category served: nothing left the gateway.
 */
public final class AuditedQueries {

    static final String SERVICE = "cxg.v1.QueryService";
    static final String METHOD = "QueryScore";
    static final String NOT_RECORDED = "the audit log could not record this request, so it was not answered; retry later";
    static final String INTERNAL = "INTERNAL";
    /** The audit entry's role of a member, by {@link MemberKind} ordinal: its kind in lower case. */
    private static final String[] ROLES = new String[MemberKind.values().length];

    static {
        for (MemberKind k : MemberKind.values()) {
            ROLES[k.ordinal()] = k.name().toLowerCase(Locale.ROOT);
        }
    }

    private final ScoreQueries queries;
    private final AuditRecorder recorder;
    private final Admission admission;

    /** Without a limit on queries in flight. */
    public AuditedQueries(ScoreQueries queries, AuditRecorder recorder) {
        this(queries, recorder, new Admission(Integer.MAX_VALUE));
    }

    public AuditedQueries(ScoreQueries queries, AuditRecorder recorder, Admission admission) {
        this.queries = queries;
        this.recorder = recorder;
        this.admission = admission;
    }

    /** A query outside any gRPC call: its caller never goes. */
    public CompletionStage<Outcome<ScoreReport>> query(Member caller, ScoreQuery query) {
        return query(caller, query, Context.ROOT);
    }

    /**
     * @param call the gRPC call's context, whose cancellation says the caller has gone
     * @return completes exceptionally only if the query failed inside the gateway (after recording that too)
     */
    public CompletionStage<Outcome<ScoreReport>> query(Member caller, ScoreQuery query, Context call) {
        Outcome<Admission.Permit> admitted = admission.admit(call);
        if (!admitted.isOk()) {
            return record(entry(caller, query, Outcome.fail(admitted.failure()), null), Outcome.fail(admitted.failure()));
        }
        Admission.Permit permit = admitted.value();
        CompletionStage<Outcome<ScoreReport>> answered;
        try {
            answered = queries.query(caller, query);
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        CompletionStage<Outcome<ScoreReport>> recorded = answered.handle((outcome, error) -> error == null ? outcome : null)
                .thenCompose(outcome -> {
                    Failure gone = Admission.callerGone(call);
                    boolean dropped = gone != null && outcome != null && outcome.isOk();
                    return record(entry(caller, query, outcome, gone), dropped ? Outcome.fail(gone) : outcome);
                });
        recorded.whenComplete((outcome, error) -> permit.close());
        return recorded;
    }

    /** {@code outcome} once {@code entry} is durable; null outcome: the query failed inside the gateway. */
    private CompletionStage<Outcome<ScoreReport>> record(AuditEntry entry, Outcome<ScoreReport> outcome) {
        return recorder.record(entry).handle((index, auditError) -> {
            if (auditError != null) {
                return Outcome.<ScoreReport>fail(Failure.unavailable(NOT_RECORDED));
            }
            if (outcome == null) {
                // recorded as INTERNAL; the caller gets the gateway's generic internal error
                throw new CompletionException(new IllegalStateException("score query failed inside the gateway"));
            }
            return outcome;
        });
    }

    /**
     * The entry for this query and its outcome; {@code outcome} is null if the query failed inside the gateway,
     * {@code gone} (or null) why the caller no longer waits for a report it was allowed.
     */
    AuditEntry entry(Member caller, ScoreQuery query, Outcome<ScoreReport> outcome, Failure gone) {
        AuditEntry.Builder b = recorder.entry(SERVICE, METHOD)
                .caller(caller.id(), ROLES[caller.kind().ordinal()])
                .purpose(query.getPurpose().isEmpty() ? null : query.getPurpose())
                .subject(query.hasSubject() ? query.getSubject().getValue() : null)
                .categoriesRequested(query.getCategoriesCount() == 0 ? List.of() : new HashSet<>(query.getCategoriesList()));
        if (outcome == null) {
            return b.requestId(blankToNull(query.getRequestId())).outcome(INTERNAL);
        }
        if (outcome.isOk()) {
            ScoreReport report = outcome.value();
            PolicyDecision d = report.getDecision();
            // set before the decision, which would otherwise count every granted category as served
            b.categoriesServed(gone == null ? servedCategories(report) : List.of())
                    .decision(decided.get(d))
                    .requestId(report.getRequestId());
            if (gone != null) {
                // the report is dropped, not sent: nothing served, nothing withheld from anyone
                return b.outcome(gone.reason().name());
            }
            for (Withheld w : report.getWithheldList()) {
                b.withheld(w.getPlatform(), w.getField(), blankToNull(w.getCategory()), w.getReason());
            }
            return b.outcome("OK");
        }
        return refused(b, outcome.failure(), query.getRequestId());
    }

    /** A report's decision as the entry records it, remembered by message: reports of one decision share its message. */
    private final IdentityMemo<PolicyDecision, Decision> decided = new IdentityMemo<>(8, AuditedQueries::decisionOf);

    /** Read through the bytes getters: the message's strings are UTF-8 and stay so (see {@code ScoreQueries.utf8}). */
    private static Decision decisionOf(PolicyDecision d) {
        List<ByteString> granted = d.getGrantedCategoriesList().asByteStringList();
        String[] categories = new String[granted.size()];
        for (int i = 0; i < categories.length; i++) {
            categories[i] = granted.get(i).toStringUtf8();
        }
        return Decision.allow(d.getRuleBytes().toStringUtf8(), d.getReasonBytes().toStringUtf8(),
                disclosure(d.getDisclosure()), Set.copyOf(Arrays.asList(categories)));
    }

    /**
     * The categories whose data left the gateway: those of the factors the report carries. Granted is not
     * served: below FULL disclosure, or when a platform had no factor in a granted category, none left.
     */
    static List<String> servedCategories(ScoreReport report) {
        // sorted and distinct; a report carries a handful of categories, so a list beats a TreeSet
        List<String> served = new ArrayList<>(4);
        for (int i = 0, n = report.getResultsCount(); i < n; i++) {
            ReportedScore score = report.getResults(i).getScore();
            for (int k = 0, m = score.getFactorsCount(); k < m; k++) {
                String category = score.getFactors(k).getCategory();
                if (!served.contains(category)) {
                    served.add(category);
                }
            }
        }
        served.sort(null);
        return served;
    }

    /** The entry of a request refused with {@code f}: the deciding rule if policy refused it, and the status. */
    static AuditEntry refused(AuditEntry.Builder b, Failure f, String requestId) {
        if (f.rule() != null) {
            b.decision(Decision.deny(f.rule(), f.message()));
        }
        return b.requestId(blankToNull(requestId)).outcome(f.reason().name());
    }

    private static Disclosure disclosure(cxg.v1.Disclosure d) {
        return switch (d) {
            case TIER_ONLY -> Disclosure.TIER_ONLY;
            case SCORE -> Disclosure.SCORE;
            case FULL -> Disclosure.FULL;
            default -> null;
        };
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
