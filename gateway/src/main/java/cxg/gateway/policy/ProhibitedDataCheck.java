package cxg.gateway.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import cxg.v1.Factor;
import cxg.v1.PlatformRating;
import cxg.v1.RatingSubmission;
import cxg.v1.RecordSubmission;

/**
 * Finds data of prohibited categories (religion, genetics, biometrics, blood type, medical,
 * as listed in {@code categories.yaml}) in ratings and records: factors tagged with a
 * prohibited category in any spelling, factors whose code or description carries a
 * prohibited keyword, and attributes whose keys do. Used by the answer filter on every
 * scorer answer and by the submission pipeline at ingest. Violations name fields and
 * categories, never values.
 */
public final class ProhibitedDataCheck {

    /** A field holding prohibited data, e.g. {@code rating.factors[2]} in category MEDICAL. */
    public record Violation(String field, String category) {
        @Override
        public String toString() {
            return field + ": prohibited category " + category;
        }
    }

    private final CategoryTaxonomy taxonomy;

    public ProhibitedDataCheck(CategoryTaxonomy taxonomy) {
        this.taxonomy = taxonomy;
    }

    public List<Violation> check(RatingSubmission rating) {
        List<Violation> out = new ArrayList<>();
        checkFactors("rating.factors", rating.getFactorsList(), out);
        checkAttributes("rating.attributes", rating.getAttributesMap(), out);
        return out;
    }

    public List<Violation> check(PlatformRating rating) {
        List<Violation> out = new ArrayList<>();
        checkFactors("rating.factors", rating.getFactorsList(), out);
        checkAttributes("rating.attributes", rating.getAttributesMap(), out);
        return out;
    }

    public List<Violation> check(RecordSubmission record) {
        List<Violation> out = new ArrayList<>();
        String category = taxonomy.prohibitedCategoryOf(record.getCategory());
        if (category != null) {
            out.add(new Violation("record.category", category));
        }
        category = taxonomy.revealedBy(record.getMeasure());
        if (category != null) {
            out.add(new Violation("record.measure", category));
        }
        return out;
    }

    /**
     * The prohibited category a factor belongs to or reveals (by its category, code or
     * description), or null. Its attributes are judged separately, key by key.
     */
    public String prohibitedCategoryOf(Factor factor) {
        String category = taxonomy.prohibitedCategoryOf(factor.getCategory());
        if (category == null) {
            category = taxonomy.revealedBy(factor.getCode());
        }
        if (category == null) {
            category = taxonomy.revealedBy(factor.getDescription());
        }
        return category;
    }

    /** The prohibited category an attribute key reveals, or null. */
    public String prohibitedCategoryOfKey(String key) {
        return taxonomy.revealedBy(key);
    }

    private void checkFactors(String path, List<Factor> factors, List<Violation> out) {
        for (int i = 0; i < factors.size(); i++) {
            Factor f = factors.get(i);
            String category = prohibitedCategoryOf(f);
            if (category != null) {
                out.add(new Violation(path + "[" + i + "]", category));
            }
            checkAttributes(path + "[" + i + "].attributes", f.getAttributesMap(), out);
        }
    }

    private void checkAttributes(String path, Map<String, String> attributes, List<Violation> out) {
        for (String key : attributes.keySet()) {
            String category = taxonomy.revealedBy(key);
            if (category != null) {
                out.add(new Violation(path + "." + key, category));
            }
        }
    }
}
