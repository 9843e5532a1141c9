package cxg.gateway.submission;

import com.google.protobuf.Timestamp;
import cxg.gateway.policy.CategoryTaxonomy;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.ProhibitedDataCheck;
import cxg.gateway.policy.ScoreScaleDef;
import cxg.gateway.subject.SubjectId;
import cxg.v1.Factor;
import cxg.v1.LiftRecord;
import cxg.v1.RatingSubmission;
import cxg.v1.RecordKind;
import cxg.v1.RecordSubmission;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionItem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validates one submitted item for the platform that sent it, under one policy snapshot:
 * subject check character, the platform's own scale and a value inside it, a tier the scale
 * defines, computed-at not in the future, valid-until after computed-at, known categories,
 * no prohibited category or attribute (the policy engine's {@link ProhibitedDataCheck}),
 * and a size limit on every string and list. The first problem found is returned.
 */
final class ItemValidator {

    static final int MAX_ID = 128;
    static final int MAX_SHORT = 128;
    static final int MAX_TEXT = 1024;
    static final int MAX_FACTORS = 50;
    static final int MAX_ATTRIBUTES = 32;
    private static final Pattern ITEM_ID = Pattern.compile("[A-Za-z0-9._:/-]{1," + MAX_ID + "}");

    Optional<Rejection> validate(SubmissionItem item, Member platform, PolicySet policy, Instant now) {
        if (!ITEM_ID.matcher(item.getItemId()).matches()) {
            return reject("item_id", item.getItemId().isEmpty() ? "is required"
                    : "must be 1-" + MAX_ID + " letters, digits or . _ : / -");
        }
        return switch (item.getContentCase()) {
            case RATING -> rating(item.getRating(), platform, policy, now);
            case RECORD -> record(item.getRecord(), policy, now);
            case LIFT -> lift(item.getLift(), now);
            case CONTENT_NOT_SET -> reject("content", "one of rating, record or lift is required");
        };
    }

    private Optional<Rejection> rating(RatingSubmission r, Member platform, PolicySet policy, Instant now) {
        Optional<Rejection> problem = subject("rating.subject", r.getSubject());
        if (problem.isPresent()) {
            return problem;
        }
        String scaleId = platform.scaleId().orElse(null);
        if (!r.getScaleId().equals(scaleId)) {
            return reject("rating.scale_id", scaleId == null ? "no score scale is registered for " + platform.id()
                    : "must be " + scaleId + ", the scale registered for " + platform.id());
        }
        ScoreScaleDef scale = policy.scale(scaleId).orElse(null);
        if (scale == null) {
            return reject("rating.scale_id", "scale " + scaleId + " is not in scales.yaml");
        }
        if (!Double.isFinite(r.getValue()) || r.getValue() < scale.min() || r.getValue() > scale.max()) {
            return reject("rating.value", "must lie within the scale " + scaleId + " [" + num(scale.min()) + ", "
                    + num(scale.max()) + "]");
        }
        if (!r.getTier().isEmpty() && scale.tiers().stream().noneMatch(t -> t.label().equals(r.getTier()))) {
            return reject("rating.tier", "is not a tier of scale " + scaleId + " ("
                    + String.join(", ", scale.tiers().stream().map(ScoreScaleDef.Tier::label).toList()) + ")");
        }
        if (!r.hasComputedAt()) {
            return reject("rating.computed_at", "is required");
        }
        if (instant(r.getComputedAt()).isAfter(now)) {
            return reject("rating.computed_at", "lies in the future");
        }
        if (!r.hasValidUntil()) {
            return reject("rating.valid_until", "is required");
        }
        if (!instant(r.getValidUntil()).isAfter(instant(r.getComputedAt()))) {
            return reject("rating.valid_until", "must be after rating.computed_at");
        }
        List<ProhibitedDataCheck.Violation> violations = policy.prohibitedDataCheck().check(r);
        if (!violations.isEmpty()) {
            ProhibitedDataCheck.Violation v = violations.get(0);
            return reject(v.field(), "reveals the prohibited category " + v.category());
        }
        if (r.getFactorsCount() > MAX_FACTORS) {
            return reject("rating.factors", "at most " + MAX_FACTORS + " factors");
        }
        CategoryTaxonomy taxonomy = policy.categories();
        for (int i = 0; i < r.getFactorsCount(); i++) {
            Factor f = r.getFactors(i);
            String at = "rating.factors[" + i + "]";
            if (taxonomy.canonical(f.getCategory()) == null) {
                return reject(at + ".category", f.getCategory().isEmpty() ? "is required" : "is not a known category");
            }
            problem = length(at + ".code", f.getCode(), MAX_SHORT)
                    .or(() -> length(at + ".description", f.getDescription(), MAX_TEXT))
                    .or(() -> attributes(at + ".attributes", f.getAttributesMap()));
            if (problem.isPresent()) {
                return problem;
            }
        }
        return attributes("rating.attributes", r.getAttributesMap());
    }

    private Optional<Rejection> record(RecordSubmission r, PolicySet policy, Instant now) {
        Optional<Rejection> problem = subject("record.subject", r.getSubject());
        if (problem.isPresent()) {
            return problem;
        }
        if (r.getKind() == RecordKind.RECORD_KIND_UNSPECIFIED || r.getKind() == RecordKind.UNRECOGNIZED) {
            return reject("record.kind", "must be GOOD, WARNING or RESTRICTION");
        }
        List<ProhibitedDataCheck.Violation> violations = policy.prohibitedDataCheck().check(r);
        if (!violations.isEmpty()) {
            ProhibitedDataCheck.Violation v = violations.get(0);
            return reject(v.field(), "reveals the prohibited category " + v.category());
        }
        if (policy.categories().canonical(r.getCategory()) == null) {
            return reject("record.category", r.getCategory().isEmpty() ? "is required" : "is not a known category");
        }
        problem = required("record.case_number", r.getCaseNumber(), MAX_SHORT)
                .or(() -> required("record.measure", r.getMeasure(), MAX_SHORT))
                .or(() -> required("record.issuing_agency", r.getIssuingAgency(), MAX_SHORT));
        if (problem.isPresent()) {
            return problem;
        }
        if (!r.hasDecisionDate()) {
            return reject("record.decision_date", "is required");
        }
        if (instant(r.getDecisionDate()).isAfter(now)) {
            return reject("record.decision_date", "lies in the future");
        }
        if (r.hasExpiresAt() && !instant(r.getExpiresAt()).isAfter(instant(r.getDecisionDate()))) {
            return reject("record.expires_at", "must be after record.decision_date");
        }
        return Optional.empty();
    }

    private Optional<Rejection> lift(LiftRecord l, Instant now) {
        if (!ITEM_ID.matcher(l.getRecordItemId()).matches()) {
            return reject("lift.record_item_id", l.getRecordItemId().isEmpty() ? "is required" : "is not an item id");
        }
        if (!l.hasLiftedAt()) {
            return reject("lift.lifted_at", "is required");
        }
        if (instant(l.getLiftedAt()).isAfter(now)) {
            return reject("lift.lifted_at", "lies in the future");
        }
        return length("lift.reason", l.getReason(), MAX_TEXT);
    }

    private static Optional<Rejection> subject(String at, cxg.v1.SubjectId subject) {
        SubjectId.Kind kind;
        if (subject.getKind() == SubjectKind.RESIDENT_ID) {
            kind = SubjectId.Kind.RESIDENT_ID;
        } else if (subject.getKind() == SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE) {
            kind = SubjectId.Kind.UNIFIED_SOCIAL_CREDIT_CODE;
        } else {
            return reject(at + ".kind", "must be RESIDENT_ID or UNIFIED_SOCIAL_CREDIT_CODE");
        }
        return SubjectId.problem(kind, subject.getValue()).map(p -> new Rejection(at + ".value", p));
    }

    private static Optional<Rejection> attributes(String at, Map<String, String> attributes) {
        if (attributes.size() > MAX_ATTRIBUTES) {
            return reject(at, "at most " + MAX_ATTRIBUTES + " attributes");
        }
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_SHORT) {
                return reject(at, "attribute keys must be 1-" + MAX_SHORT + " characters");
            }
            Optional<Rejection> problem = length(at + "." + e.getKey(), e.getValue(), MAX_TEXT);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<Rejection> required(String at, String value, int max) {
        return value.isBlank() ? reject(at, "is required") : length(at, value, max);
    }

    private static Optional<Rejection> length(String at, String value, int max) {
        return value.length() > max ? reject(at, "at most " + max + " characters") : Optional.empty();
    }

    private static Optional<Rejection> reject(String field, String reason) {
        return Optional.of(new Rejection(field, reason));
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
