package cxg.gateway.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import cxg.v1.Factor;
import cxg.v1.PlatformRating;
import cxg.v1.ReportedScore;
import cxg.v1.ScoreScale;
import cxg.v1.Withheld;

/**
 * Turns a platform's raw rating into what may leave the gateway under an allow decision:
 * prohibited data and factors outside the granted categories removed, the disclosure level
 * applied ({@code TIER_ONLY}: tier; {@code SCORE}: plus normalised and original value and
 * scale; {@code FULL}: plus factors), and the value normalised with the platform's scale
 * from policy. Everything removed is listed as {@link Withheld} by field and category, never
 * by value. Rating-level attributes are never forwarded (the report has no place for them);
 * only those revealing a prohibited category are listed.
 */
public final class AnswerFilter {

    /** The filtered score and what was withheld from it. */
    public record Filtered(ReportedScore score, List<Withheld> withheld) {
        public Filtered {
            withheld = List.copyOf(withheld);
        }
    }

    static final String PROHIBITED = "prohibited category";
    static final String NOT_GRANTED = "category not granted";
    static final String UNKNOWN = "category not in taxonomy";

    private final PolicySet policy;
    private final ProhibitedDataCheck prohibited;
    /** Per platform member id: its scale and that scale as a message, built once per policy set. */
    private final Map<String, ScoreScaleDef> scales = new HashMap<>();
    private final Map<String, ScoreScale> scaleMessages = new HashMap<>();

    public AnswerFilter(PolicySet policy) {
        this.policy = policy;
        this.prohibited = policy.prohibitedDataCheck();
        for (Member m : policy.members()) {
            m.scaleId().flatMap(policy::scale).ifPresent(scale -> {
                scales.put(m.id(), scale);
                scaleMessages.put(m.id(), scale.proto());
            });
        }
    }

    /**
     * @param platform the answering platform's member id (its scale comes from policy)
     * @param decision an allow decision for this request
     */
    public Filtered filter(String platform, PlatformRating raw, Decision decision) {
        if (!decision.allowed()) {
            throw new IllegalArgumentException("only an allowed request has an answer to filter");
        }
        Disclosure disclosure = decision.disclosure();
        List<Withheld> withheld = new ArrayList<>();
        ReportedScore.Builder out = ReportedScore.newBuilder();
        if (raw.hasComputedAt()) {
            out.setComputedAt(raw.getComputedAt());
        }
        if (raw.hasValidUntil()) {
            out.setValidUntil(raw.getValidUntil());
        }

        for (String key : raw.getAttributesMap().keySet()) {
            String category = prohibited.prohibitedCategoryOfKey(key);
            if (category != null) {
                withheld.add(withheld(platform, "attributes." + key, category, PROHIBITED));
            }
        }

        int kept = filterFactors(platform, raw.getFactorsList(), decision, out, withheld);
        if (kept > 0 && disclosure != Disclosure.FULL) {
            withheld.add(withheld(platform, "factors", "", "disclosure " + disclosure));
        }

        ScoreScaleDef scale = scales.get(platform);
        // the tier comes from the policy's bands; the platform's own label only when they give none
        String derived = scale == null ? null : scale.tierOf(raw.getValue());
        String tier = derived != null ? derived : raw.getTier();
        if (prohibited.prohibitedCategoryOfKey(tier) != null) {
            withheld.add(withheld(platform, "tier", prohibited.prohibitedCategoryOfKey(tier), PROHIBITED));
            tier = "";
        }
        out.setTier(tier);

        if (disclosure == Disclosure.TIER_ONLY) {
            String why = "disclosure " + disclosure;
            withheld.add(withheld(platform, "normalized_value", "", why));
            withheld.add(withheld(platform, "original_value", "", why));
            withheld.add(withheld(platform, "scale", "", why));
        } else if (scale == null) {
            withheld.add(withheld(platform, "normalized_value", "", "no score scale in policy for " + platform));
            out.setOriginalValue(raw.getValue());
        } else {
            out.setNormalizedValue(scale.normalize(raw.getValue()));
            out.setOriginalValue(raw.getValue());
            out.setScale(scaleMessages.get(platform));
        }
        return new Filtered(out.build(), withheld);
    }

    /** Adds the factors that may leave (only at FULL) and returns how many passed the category checks. */
    private int filterFactors(String platform, List<Factor> factors, Decision decision, ReportedScore.Builder out,
                              List<Withheld> withheld) {
        CategoryTaxonomy taxonomy = policy.categories();
        boolean full = decision.disclosure() == Disclosure.FULL;
        int kept = 0;
        for (int i = 0; i < factors.size(); i++) {
            Factor f = factors.get(i);
            String banned = prohibited.prohibitedCategoryOf(f);
            if (banned != null) {
                withheld.add(withheld(platform, factorField(i), banned, PROHIBITED));
                continue;
            }
            String category = taxonomy.canonical(f.getCategory());
            if (category == null) {
                withheld.add(withheld(platform, factorField(i), "", UNKNOWN));
                continue;
            }
            if (!decision.grantedCategories().contains(category)) {
                withheld.add(withheld(platform, factorField(i), category, NOT_GRANTED));
                continue;
            }
            kept++;
            if (!full) {
                continue;
            }
            Factor clean = f;
            if (!category.equals(f.getCategory())) {
                clean = clean.toBuilder().setCategory(category).build();
            }
            for (Map.Entry<String, String> a : f.getAttributesMap().entrySet()) {
                String revealed = prohibited.prohibitedCategoryOfKey(a.getKey());
                if (revealed != null) {
                    withheld.add(withheld(platform, factorField(i) + ".attributes." + a.getKey(), revealed, PROHIBITED));
                    clean = clean.toBuilder().removeAttributes(a.getKey()).build();
                }
            }
            out.addFactors(clean);
        }
        return kept;
    }

    private static String factorField(int i) {
        return "factors[" + i + "]";
    }

    private static Withheld withheld(String platform, String field, String category, String reason) {
        return Withheld.newBuilder().setPlatform(platform).setField(field).setCategory(category).setReason(reason).build();
    }
}
