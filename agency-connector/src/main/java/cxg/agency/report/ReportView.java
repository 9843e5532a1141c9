package cxg.agency.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.google.protobuf.Timestamp;
import cxg.v1.Factor;
import cxg.v1.PlatformResult;
import cxg.v1.PolicyDecision;
import cxg.v1.ReportedScore;
import cxg.v1.ScoreReport;
import cxg.v1.ScoreScale;
import cxg.v1.Withheld;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON form of a score report, shared by the REST API and {@code cxg agency query --json}.
 * Absent values (e.g. the numbers at TIER_ONLY, the detail of an OK result) are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportView(String requestId, String answeredAt, DecisionView decision, List<ResultView> results,
        List<WithheldView> withheld) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DecisionView(boolean allowed, String rule, String reason, String disclosure,
            List<String> grantedCategories) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResultView(String platform, String status, String tier, Integer normalizedValue,
            Double originalValue, ScaleView scale, String computedAt, String validUntil, String source,
            Long ageSeconds, List<FactorView> factors, String detail, long latencyMillis) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ScaleView(String id, double min, double max, List<String> tiers) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FactorView(String category, String code, String direction, String description,
            Map<String, String> attributes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WithheldView(String platform, String field, String category, String reason) {
    }

    public static ReportView of(ScoreReport report) {
        return new ReportView(
                blankToNull(report.getRequestId()),
                report.hasAnsweredAt() ? instant(report.getAnsweredAt()) : null,
                report.hasDecision() ? decision(report.getDecision()) : null,
                report.getResultsList().stream().map(ReportView::result).toList(),
                report.getWithheldList().stream().map(ReportView::withheld).toList());
    }

    static DecisionView decision(PolicyDecision d) {
        return new DecisionView(d.getAllowed(), blankToNull(d.getRule()), blankToNull(d.getReason()),
                enumName(d.getDisclosure()), d.getGrantedCategoriesCount() == 0 ? null : List.copyOf(d.getGrantedCategoriesList()));
    }

    private static ResultView result(PlatformResult r) {
        if (!r.hasScore()) {
            return new ResultView(r.getPlatform(), enumName(r.getStatus()), null, null, null, null, null, null, null,
                    null, null, blankToNull(r.getDetail()), r.getLatencyMillis());
        }
        ReportedScore s = r.getScore();
        return new ResultView(
                r.getPlatform(),
                enumName(r.getStatus()),
                blankToNull(s.getTier()),
                s.hasNormalizedValue() ? s.getNormalizedValue() : null,
                s.hasOriginalValue() ? s.getOriginalValue() : null,
                s.hasScale() ? scale(s.getScale()) : null,
                s.hasComputedAt() ? instant(s.getComputedAt()) : null,
                s.hasValidUntil() ? instant(s.getValidUntil()) : null,
                enumName(s.getSource()),
                s.hasComputedAt() ? s.getAgeSeconds() : null,
                s.getFactorsCount() == 0 ? null : s.getFactorsList().stream().map(ReportView::factor).toList(),
                blankToNull(r.getDetail()),
                r.getLatencyMillis());
    }

    private static ScaleView scale(ScoreScale s) {
        return new ScaleView(blankToNull(s.getId()), s.getMin(), s.getMax(),
                s.getTiersCount() == 0 ? null : List.copyOf(s.getTiersList()));
    }

    private static FactorView factor(Factor f) {
        return new FactorView(blankToNull(f.getCategory()), blankToNull(f.getCode()), enumName(f.getDirection()),
                blankToNull(f.getDescription()), f.getAttributesCount() == 0 ? null : new TreeMap<>(f.getAttributesMap()));
    }

    private static WithheldView withheld(Withheld w) {
        return new WithheldView(blankToNull(w.getPlatform()), blankToNull(w.getField()), blankToNull(w.getCategory()),
                blankToNull(w.getReason()));
    }

    private static String instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
    }

    /** Proto enums' zero values ("…_UNSPECIFIED") and unknown numbers mean "not stated". */
    private static String enumName(Enum<?> value) {
        String name = value.name();
        return name.endsWith("UNSPECIFIED") || name.equals("UNRECOGNIZED") ? null : name;
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
