package cxg.agency.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionMeasure;
import java.time.Instant;
import java.util.List;

/**
 * The JSON form of a restriction check, shared by the REST API and {@code cxg agency check --json}:
 * yes/no and each measure in force with its dates, nothing more.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestrictionView(String requestId, String answeredAt, boolean restricted, List<MeasureView> measures,
        ReportView.DecisionView decision) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MeasureView(String measure, String decisionDate, String expiresAt) {
    }

    public static RestrictionView of(RestrictionAnswer answer) {
        return new RestrictionView(
                answer.getRequestId().isEmpty() ? null : answer.getRequestId(),
                answer.hasAnsweredAt() ? instant(answer.getAnsweredAt()) : null,
                answer.getRestricted(),
                answer.getMeasuresList().stream().map(RestrictionView::measure).toList(),
                answer.hasDecision() ? ReportView.decision(answer.getDecision()) : null);
    }

    /** For people: "restricted: yes" and one line per measure, or "restricted: no"; then the deciding rule. */
    public String render() {
        StringBuilder out = new StringBuilder("restricted: ").append(restricted ? "yes" : "no").append('\n');
        for (MeasureView m : measures) {
            out.append("  ").append(m.measure()).append("  decided ").append(m.decisionDate())
                    .append(m.expiresAt() == null ? "  no end date" : "  until " + m.expiresAt()).append('\n');
        }
        if (decision != null && decision.rule() != null) {
            out.append("decision: allowed by ").append(decision.rule()).append('\n');
        }
        if (requestId != null) {
            out.append("request: ").append(requestId).append('\n');
        }
        return out.toString();
    }

    private static MeasureView measure(RestrictionMeasure m) {
        return new MeasureView(m.getMeasure(), m.hasDecisionDate() ? instant(m.getDecisionDate()) : null,
                m.hasExpiresAt() ? instant(m.getExpiresAt()) : null);
    }

    private static String instant(com.google.protobuf.Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
    }
}
