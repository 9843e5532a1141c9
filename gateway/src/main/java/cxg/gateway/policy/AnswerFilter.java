package cxg.gateway.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

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
    /** Factors beyond this index get their withheld entries built each time. */
    private static final int REMEMBERED_FACTORS = 64;
    /** Slots for rating attributes' withheld entries per platform (a power of two). */
    private static final int REMEMBERED_ATTRIBUTES = 256;
    private static final String ATTRIBUTES = "attributes.";

    private final PolicySet policy;
    private final ProhibitedDataCheck prohibited;
    /** Per platform member id: its scale and that scale as a message, built once per policy set. */
    private final Map<String, ScoreScaleDef> scales = new HashMap<>();
    private final Map<String, ScoreScale> scaleMessages = new HashMap<>();
    /**
     * The withheld entry of a removed factor depends only on the platform, the factor's index
     * and its category (which fixes the reason), so each is built once: per platform member id,
     * slot {@code index * categorySlots + slot of the category}, filled on first use.
     */
    private final Map<String, AtomicReferenceArray<Withheld>> factorEntries = new HashMap<>();
    /** Per platform member id: the withheld entries of its prohibited rating attributes, see {@link #attributeWithheld}. */
    private final Map<String, AtomicReferenceArray<Withheld>> attributeEntries = new HashMap<>();
    /** The taxonomy's categories by their own spelling, each with its slot; {@code unknownSlot} is outside it. */
    private final Map<String, Known> known = new HashMap<>();
    private final int unknownSlot;

    /** A category of the taxonomy: its name, whether it is prohibited, and its slot (0..63). */
    private record Known(String name, boolean prohibited, int slot) {
    }

    public AnswerFilter(PolicySet policy) {
        this.policy = policy;
        this.prohibited = policy.prohibitedDataCheck();
        CategoryTaxonomy taxonomy = policy.categories();
        for (String c : taxonomy.allowed()) {
            known.put(c, new Known(c, false, known.size()));
        }
        for (String c : taxonomy.prohibited()) {
            known.put(c, new Known(c, true, known.size()));
        }
        if (known.size() >= Long.SIZE) {
            throw new IllegalArgumentException("at most 63 categories: granted categories are kept as a bit set");
        }
        this.unknownSlot = known.size();
        for (Member m : policy.members()) {
            m.scaleId().flatMap(policy::scale).ifPresent(scale -> {
                scales.put(m.id(), scale);
                scaleMessages.put(m.id(), scale.proto());
            });
            if (m.kind() == MemberKind.PLATFORM) {
                factorEntries.put(m.id(), new AtomicReferenceArray<>(REMEMBERED_FACTORS * (unknownSlot + 1)));
                attributeEntries.put(m.id(), new AtomicReferenceArray<>(REMEMBERED_ATTRIBUTES));
            }
        }
    }

    /**
     * @param platform the answering platform's member id (its scale comes from policy)
     * @param decision an allow decision for this request
     */
    public Filtered filter(String platform, PlatformRating raw, Decision decision) {
        return filter(platform, raw, decision, score -> { });
    }

    /**
     * As {@link #filter(String, PlatformRating, Decision)}, with {@code finish} setting fields the filter does not
     * own (e.g. where the value came from) on the filtered score before it is built, instead of on a copy.
     */
    public Filtered filter(String platform, PlatformRating raw, Decision decision, Consumer<ReportedScore.Builder> finish) {
        if (!decision.allowed()) {
            throw new IllegalArgumentException("only an allowed request has an answer to filter");
        }
        Disclosure disclosure = decision.disclosure();
        List<Withheld> withheld = new ArrayList<>(raw.getFactorsCount() + 8);
        ReportedScore.Builder out = ReportedScore.newBuilder();
        if (raw.hasComputedAt()) {
            out.setComputedAt(raw.getComputedAt());
        }
        if (raw.hasValidUntil()) {
            out.setValidUntil(raw.getValidUntil());
        }

        if (raw.getAttributesCount() != 0) {
            AtomicReferenceArray<Withheld> remembered = attributeEntries.get(platform);
            for (String key : raw.getAttributesMap().keySet()) {
                String category = prohibited.prohibitedCategoryOfKey(key);
                if (category != null) {
                    withheld.add(attributeWithheld(remembered, platform, key, category));
                }
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
        finish.accept(out);
        return new Filtered(out.build(), withheld);
    }

    /**
     * Adds the factors that may leave (only at FULL) and returns how many passed the category
     * checks. A kept factor is passed on as the same message unless its category spelling, an
     * attribute or fields unknown to this gateway make it change; then it is rebuilt once.
     */
    private int filterFactors(String platform, List<Factor> factors, Decision decision, ReportedScore.Builder out,
                              List<Withheld> withheld) {
        CategoryTaxonomy taxonomy = policy.categories();
        AtomicReferenceArray<Withheld> entries = factorEntries.get(platform);
        long granted = grantedBits.get(decision);
        boolean full = decision.disclosure() == Disclosure.FULL;
        int kept = 0;
        for (int i = 0, n = factors.size(); i < n; i++) {
            Factor f = factors.get(i);
            String given = f.getCategory();
            Known category = known.get(given);
            if (category == null) {
                String canonical = taxonomy.canonical(given);
                category = canonical == null ? null : known.get(canonical);
            }
            String banned = category != null
                    ? (category.prohibited() ? category.name() : null)
                    : taxonomy.revealedBy(given);
            if (banned == null) {
                banned = taxonomy.revealedBy(f.getCode());
            }
            if (banned == null) {
                banned = taxonomy.revealedBy(f.getDescription());
            }
            if (banned != null) {
                withheld.add(factorWithheld(entries, platform, i, known.get(banned).slot(), banned, PROHIBITED));
                continue;
            }
            if (category == null) {
                withheld.add(factorWithheld(entries, platform, i, unknownSlot, "", UNKNOWN));
                continue;
            }
            if ((granted & (1L << category.slot())) == 0) {
                withheld.add(factorWithheld(entries, platform, i, category.slot(), category.name(), NOT_GRANTED));
                continue;
            }
            kept++;
            if (!full) {
                continue;
            }
            boolean clean = category.name().equals(given) && f.getUnknownFields().isEmpty();
            if (f.getAttributesCount() != 0) {
                for (String key : f.getAttributesMap().keySet()) {
                    String revealed = taxonomy.revealedBy(key);
                    if (revealed != null) {
                        withheld.add(withheld(platform, factorField(i) + ".attributes." + key, revealed, PROHIBITED));
                        clean = false;
                    }
                }
            }
            out.addFactors(clean ? f : rebuilt(f, category.name(), taxonomy));
        }
        return kept;
    }

    /** Of recent decisions: a policy set hands out the same allow decision again and again. */
    private final IdentityMemo<Decision, Long> grantedBits = new IdentityMemo<>(8, this::grantedBitsOf);

    /** A decision's granted, non-prohibited categories as a bit set of their slots. */
    private long grantedBitsOf(Decision decision) {
        long bits = 0;
        for (String c : decision.grantedCategories()) {
            Known k = known.get(c);
            if (k != null && !k.prohibited()) {
                bits |= 1L << k.slot();
            }
        }
        return bits;
    }

    /**
     * The factor with the taxonomy's category spelling and only the attributes that reveal
     * nothing, built afresh: fields this gateway does not know (unknown to its proto, e.g. from
     * a newer scorer) are not carried over, so they cannot leave unfiltered.
     */
    private static Factor rebuilt(Factor f, String category, CategoryTaxonomy taxonomy) {
        Factor.Builder b = Factor.newBuilder().setCategory(category).setCode(f.getCode()).setDirectionValue(f.getDirectionValue())
                .setDescription(f.getDescription());
        for (Map.Entry<String, String> a : f.getAttributesMap().entrySet()) {
            if (taxonomy.revealedBy(a.getKey()) == null) {
                b.putAttributes(a.getKey(), a.getValue());
            }
        }
        return b.build();
    }

    /**
     * attributes.{@code key} removed for revealing {@code category}: the entry depends only on the platform and the
     * key (which fixes the category under this policy set), so recent ones are remembered, direct-mapped by the
     * key's hash and confirmed by comparing the whole field name; racing writers store equal entries.
     */
    private static Withheld attributeWithheld(AtomicReferenceArray<Withheld> remembered, String platform, String key,
                                              String category) {
        if (remembered == null) {
            return withheld(platform, ATTRIBUTES + key, category, PROHIBITED);
        }
        int slot = key.hashCode() & (remembered.length() - 1);
        Withheld w = remembered.get(slot);
        if (w == null || !isAttributeField(w.getField(), key)) {
            w = withheld(platform, ATTRIBUTES + key, category, PROHIBITED);
            remembered.set(slot, w);
        }
        return w;
    }

    private static boolean isAttributeField(String field, String key) {
        return field.length() == ATTRIBUTES.length() + key.length() && field.startsWith(ATTRIBUTES)
                && field.endsWith(key);
    }

    /** factors[i] removed whole, in {@code category} (empty: outside the taxonomy, slot unknownSlot) for {@code reason}. */
    private static Withheld factorWithheld(AtomicReferenceArray<Withheld> entries, String platform, int i, int slot,
                                           String category, String reason) {
        if (entries == null || i >= REMEMBERED_FACTORS) {
            return withheld(platform, factorField(i), category, reason);
        }
        int k = i * (entries.length() / REMEMBERED_FACTORS) + slot;
        Withheld w = entries.get(k);
        if (w == null) {
            w = withheld(platform, factorField(i), category, reason);
            entries.set(k, w);
        }
        return w;
    }

    private static String factorField(int i) {
        return "factors[" + i + "]";
    }

    private static Withheld withheld(String platform, String field, String category, String reason) {
        return Withheld.newBuilder().setPlatform(platform).setField(field).setCategory(category).setReason(reason).build();
    }
}
