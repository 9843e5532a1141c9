package cxg.gateway.query;

import com.google.protobuf.Timestamp;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicyRepository;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.transport.Outcome;
import cxg.v1.PolicyDecision;
import cxg.v1.RecordKind;
import cxg.v1.RecordSubmission;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.RestrictionMeasure;
import cxg.v1.ScoreQuery;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The restriction check (minimal disclosure): validated like a score query, allowed only if an
 * agreement grants the caller the purpose, answered from stored RESTRICTION records in force in
 * the granted categories. The answer carries yes/no and each measure with its dates, nothing
 * else of the record (no case number, issuing agency, category or platform).
 */
public final class RestrictionChecks {

    private static final Comparator<RestrictionMeasure> BY_DECISION_DATE = Comparator
            .comparingLong((RestrictionMeasure m) -> m.getDecisionDate().getSeconds())
            .thenComparing(RestrictionMeasure::getMeasure);

    private final PolicyRepository policies;
    private final QueryValidator validator;
    private final StoredRestrictions records;
    private final Clock clock;

    public RestrictionChecks(PolicyRepository policies, QueryValidator validator, StoredRestrictions records, Clock clock) {
        this.policies = Objects.requireNonNull(policies);
        this.validator = Objects.requireNonNull(validator);
        this.records = Objects.requireNonNull(records);
        this.clock = Objects.requireNonNull(clock);
    }

    public Outcome<RestrictionAnswer> check(Member caller, RestrictionCheck check) {
        PolicySet policy = policies.current();
        Outcome<ValidatedQuery> validated = validator.validate(ScoreQuery.newBuilder()
                .setSubject(check.getSubject()).setPurpose(check.getPurpose()).setRequestId(check.getRequestId())
                .build(), policy);
        if (!validated.isOk()) {
            return Outcome.fail(validated.failure());
        }
        ValidatedQuery q = validated.value();
        Decision decision = policy.decide(caller, q.purpose(), Set.of(), null);
        if (!decision.allowed()) {
            return Outcome.fail(ScoreQueries.refusal(decision));
        }
        Instant now = clock.instant();
        List<RestrictionMeasure> measures = records.inForce(q.subject(), now).stream()
                .filter(r -> r.getKind() == RecordKind.RESTRICTION)
                .filter(r -> decision.grantedCategories().contains(r.getCategory()))
                .map(RestrictionChecks::measure)
                .sorted(BY_DECISION_DATE)
                .toList();
        return Outcome.ok(RestrictionAnswer.newBuilder()
                .setRequestId(q.requestId())
                .setRestricted(!measures.isEmpty())
                .addAllMeasures(measures)
                .setDecision(PolicyDecision.newBuilder()
                        .setAllowed(true)
                        .setRule(decision.rule())
                        .setReason(decision.reason() == null ? "" : decision.reason())
                        .addAllGrantedCategories(decision.grantedCategories().stream().sorted().toList()))
                .setAnsweredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build());
    }

    private static RestrictionMeasure measure(RecordSubmission r) {
        RestrictionMeasure.Builder m = RestrictionMeasure.newBuilder().setMeasure(r.getMeasure())
                .setDecisionDate(r.getDecisionDate());
        if (r.hasExpiresAt()) {
            m.setExpiresAt(r.getExpiresAt());
        }
        return m.build();
    }
}
