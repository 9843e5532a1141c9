package cxg.gateway.query;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.AuditUnavailableException;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Member;
import cxg.gateway.transport.Admission;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.PolicyDecision;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import io.grpc.Context;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Every restriction check, allowed, denied or invalid, is recorded in the audit log before its
 * answer leaves, like a score query ({@link AuditedQueries}); if the entry cannot be made durable
 * the caller gets UNAVAILABLE and not the answer. Runs on a worker thread, so it waits for the log.
 * Under overload it shares the score queries' {@link Admission}: a check whose caller has gone while it queued
 * for a worker, or beyond the limit of queries in flight, does not read the store; only its refusal is recorded.
 */
public final class AuditedRestrictionChecks {

    static final String METHOD = "CheckRestriction";
    /** What a restriction check discloses: yes/no and the measures' dates, recorded as this disclosure. */
    static final String DISCLOSURE = "RESTRICTION_YES_NO";

    private final RestrictionChecks checks;
    private final AuditRecorder recorder;
    private final Duration timeout;
    private final Admission admission;

    /** Without a limit on queries in flight. */
    public AuditedRestrictionChecks(RestrictionChecks checks, AuditRecorder recorder, Duration timeout) {
        this(checks, recorder, timeout, new Admission(Integer.MAX_VALUE));
    }

    public AuditedRestrictionChecks(RestrictionChecks checks, AuditRecorder recorder, Duration timeout, Admission admission) {
        this.checks = Objects.requireNonNull(checks);
        this.recorder = Objects.requireNonNull(recorder);
        this.timeout = Objects.requireNonNull(timeout);
        this.admission = Objects.requireNonNull(admission);
    }

    /** A check outside any gRPC call: its caller never goes. */
    public Outcome<RestrictionAnswer> check(Member caller, RestrictionCheck check) {
        return check(caller, check, Context.ROOT);
    }

    /**
     * @param call the gRPC call's context, whose cancellation says the caller has gone
     * @throws RuntimeException only if the check failed inside the gateway (after recording that too)
     */
    public Outcome<RestrictionAnswer> check(Member caller, RestrictionCheck check, Context call) {
        Outcome<Admission.Permit> admitted = admission.admit(call);
        if (!admitted.isOk()) {
            return recorded(caller, check, Outcome.fail(admitted.failure()));
        }
        try (Admission.Permit ignored = admitted.value()) {
            Outcome<RestrictionAnswer> outcome;
            try {
                outcome = checks.check(caller, check);
            } catch (RuntimeException e) {
                record(entry(caller, check, null));
                throw e;
            }
            return recorded(caller, check, outcome);
        }
    }

    /** {@code outcome} once its entry is durable, else UNAVAILABLE (fail closed). */
    private Outcome<RestrictionAnswer> recorded(Member caller, RestrictionCheck check, Outcome<RestrictionAnswer> outcome) {
        return record(entry(caller, check, outcome)) ? outcome : Outcome.fail(Failure.unavailable(AuditedQueries.NOT_RECORDED));
    }

    private boolean record(AuditEntry entry) {
        try {
            recorder.recordAndWait(entry, timeout);
            return true;
        } catch (AuditUnavailableException e) {
            return false;
        }
    }

    /** {@code outcome} is null if the check failed inside the gateway. */
    AuditEntry entry(Member caller, RestrictionCheck check, Outcome<RestrictionAnswer> outcome) {
        AuditEntry.Builder b = recorder.entry(AuditedQueries.SERVICE, METHOD)
                .caller(caller.id(), caller.kind().name().toLowerCase(Locale.ROOT))
                .purpose(check.getPurpose().isEmpty() ? null : check.getPurpose())
                .subject(check.hasSubject() ? check.getSubject().getValue() : null)
                .categoriesRequested(Set.of());
        if (outcome == null) {
            return b.requestId(AuditedQueries.blankToNull(check.getRequestId())).outcome(AuditedQueries.INTERNAL);
        }
        if (outcome.isOk()) {
            RestrictionAnswer answer = outcome.value();
            PolicyDecision d = answer.getDecision();
            return b.decision(Decision.allow(d.getRule(), d.getReason(), null, new HashSet<>(d.getGrantedCategoriesList())))
                    .disclosure(DISCLOSURE)
                    .requestId(answer.getRequestId())
                    .outcome("OK");
        }
        return AuditedQueries.refused(b, outcome.failure(), check.getRequestId());
    }
}
