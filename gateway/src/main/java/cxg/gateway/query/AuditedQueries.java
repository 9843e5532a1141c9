package cxg.gateway.query;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import cxg.gateway.policy.Member;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.Factor;
import cxg.v1.PlatformResult;
import cxg.v1.PolicyDecision;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.Withheld;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Every score query, allowed, denied or invalid, is recorded in the audit log before its answer
 * leaves: the report is released only once its entry is durable. If the entry cannot be made
 * durable the caller gets UNAVAILABLE and nothing of the report (fail closed).
 */
public final class AuditedQueries {

    static final String SERVICE = "cxg.v1.QueryService";
    static final String METHOD = "QueryScore";
    static final String NOT_RECORDED = "the audit log could not record this request, so it was not answered; retry later";
    static final String INTERNAL = "INTERNAL";

    private final ScoreQueries queries;
    private final AuditRecorder recorder;

    public AuditedQueries(ScoreQueries queries, AuditRecorder recorder) {
        this.queries = queries;
        this.recorder = recorder;
    }

    /** Completes exceptionally only if the query failed inside the gateway (after recording that too). */
    public CompletionStage<Outcome<ScoreReport>> query(Member caller, ScoreQuery query) {
        CompletionStage<Outcome<ScoreReport>> answered;
        try {
            answered = queries.query(caller, query);
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        return answered.handle((outcome, error) -> error == null ? outcome : null)
                .thenCompose(outcome -> {
                    AuditEntry entry = entry(caller, query, outcome);
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
                });
    }

    /** The entry for this query and its outcome; {@code outcome} is null if the query failed inside the gateway. */
    AuditEntry entry(Member caller, ScoreQuery query, Outcome<ScoreReport> outcome) {
        AuditEntry.Builder b = recorder.entry(SERVICE, METHOD)
                .caller(caller.id(), caller.kind().name().toLowerCase(Locale.ROOT))
                .purpose(query.getPurpose().isEmpty() ? null : query.getPurpose())
                .subject(query.hasSubject() ? query.getSubject().getValue() : null)
                .categoriesRequested(new HashSet<>(query.getCategoriesList()));
        if (outcome == null) {
            return b.requestId(blankToNull(query.getRequestId())).outcome(INTERNAL);
        }
        if (outcome.isOk()) {
            ScoreReport report = outcome.value();
            PolicyDecision d = report.getDecision();
            b.categoriesServed(servedCategories(report))
                    .decision(Decision.allow(d.getRule(), d.getReason(), disclosure(d.getDisclosure()), new HashSet<>(d.getGrantedCategoriesList())))
                    .requestId(report.getRequestId());
            for (Withheld w : report.getWithheldList()) {
                b.withheld(w.getPlatform(), w.getField(), blankToNull(w.getCategory()), w.getReason());
            }
            return b.outcome("OK");
        }
        return refused(b, outcome.failure(), query.getRequestId());
    }

    /**
     * The categories whose data left the gateway: those of the factors the report carries. Granted is not
     * served: below FULL disclosure, or when a platform had no factor in a granted category, none left.
     */
    static Set<String> servedCategories(ScoreReport report) {
        Set<String> served = new TreeSet<>();
        for (PlatformResult r : report.getResultsList()) {
            for (Factor f : r.getScore().getFactorsList()) {
                served.add(f.getCategory());
            }
        }
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
