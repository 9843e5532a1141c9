package cxg.agency.report;

import java.math.BigDecimal;
import java.util.List;

/** Renders a report for people: one line per platform, then the decision and what was withheld. */
public final class TextReport {

    private TextReport() {
    }

    public static String render(ReportView report) {
        StringBuilder out = new StringBuilder();
        int width = report.results().stream().mapToInt(r -> r.platform().length()).max().orElse(0);
        for (ReportView.ResultView r : report.results()) {
            out.append(pad(r.platform(), width)).append("  ").append(pad(r.status() == null ? "?" : r.status(), 11));
            if (r.tier() != null || r.normalizedValue() != null || r.originalValue() != null) {
                if (r.tier() != null) {
                    out.append("  tier ").append(r.tier());
                }
                if (r.normalizedValue() != null) {
                    out.append("  score ").append(r.normalizedValue()).append("/1000");
                }
                if (r.originalValue() != null) {
                    out.append("  original ").append(number(r.originalValue()));
                    if (r.scale() != null) {
                        out.append(" on ").append(number(r.scale().min())).append("..").append(number(r.scale().max()));
                    }
                }
                if (r.factors() != null) {
                    out.append("  factors ").append(r.factors().size());
                }
                if ("STORED".equals(r.source())) {
                    out.append("  stored rating").append(r.ageSeconds() == null ? "" : ", " + age(r.ageSeconds()) + " old");
                }
            } else if (r.detail() != null) {
                out.append("  ").append(r.detail());
            }
            out.append("  (").append(r.latencyMillis()).append(" ms)\n");
            if (r.factors() != null) {
                for (ReportView.FactorView f : r.factors()) {
                    out.append(pad("", width)).append("    ").append(f.direction() == null ? "" : f.direction() + " ")
                            .append(f.category()).append(' ').append(f.code() == null ? "" : f.code())
                            .append(f.description() == null ? "" : ": " + f.description()).append('\n');
                }
            }
        }
        if (report.results().isEmpty()) {
            out.append("no platform answered\n");
        }
        ReportView.DecisionView d = report.decision();
        if (d != null) {
            out.append("decision: ").append(d.allowed() ? "allowed" : "denied");
            if (d.rule() != null) {
                out.append(" by ").append(d.rule());
            }
            if (d.disclosure() != null) {
                out.append(", disclosure ").append(d.disclosure());
            }
            if (d.grantedCategories() != null) {
                out.append(", categories ").append(String.join(",", d.grantedCategories()));
            }
            if (d.reason() != null) {
                out.append(" - ").append(d.reason());
            }
            out.append('\n');
        }
        List<ReportView.WithheldView> withheld = report.withheld();
        if (withheld.isEmpty()) {
            out.append("withheld: nothing\n");
        } else {
            out.append("withheld:\n");
            for (ReportView.WithheldView w : withheld) {
                out.append("  ").append(w.platform() == null ? "" : w.platform() + " ").append(w.field());
                StringBuilder why = new StringBuilder();
                if (w.category() != null) {
                    why.append(w.category());
                }
                if (w.reason() != null) {
                    why.append(why.length() > 0 ? ": " : "").append(w.reason());
                }
                if (why.length() > 0) {
                    out.append(" (").append(why).append(')');
                }
                out.append('\n');
            }
        }
        if (report.requestId() != null) {
            out.append("request: ").append(report.requestId()).append('\n');
        }
        return out.toString();
    }

    /** A value's age as people say it: the largest whole unit. */
    static String age(long seconds) {
        if (seconds >= 86_400) {
            return seconds / 86_400 + " d";
        }
        if (seconds >= 3_600) {
            return seconds / 3_600 + " h";
        }
        return seconds >= 60 ? seconds / 60 + " min" : seconds + " s";
    }

    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
