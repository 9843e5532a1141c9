package cxg.gateway.policy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The data-category taxonomy of {@code categories.yaml}: allowed categories, and prohibited
 * ones with the keywords that reveal them. Category names given by outsiders (scorers,
 * submitters) are recognised ignoring case and separators, so {@code blood-type} is
 * BLOOD_TYPE, never an unknown category that slips through.
 */
public final class CategoryTaxonomy {
    private final Set<String> allowed;
    private final Map<String, List<String>> prohibited;
    private final KeywordMatcher keywords;
    private final Map<String, String> canonicalByFolded;
    /** Exact names to themselves, and the prohibited names: HashMap/HashSet look-ups, on every factor of every answer. */
    private final Map<String, String> exact = new HashMap<>();
    private final Set<String> prohibitedNames;

    CategoryTaxonomy(Set<String> allowed, Map<String, List<String>> prohibited) {
        this.allowed = Set.copyOf(allowed);
        this.prohibited = Map.copyOf(prohibited);
        this.keywords = KeywordMatcher.of(prohibited);
        Map<String, String> folded = new LinkedHashMap<>();
        allowed.forEach(c -> folded.put(fold(c), c));
        prohibited.keySet().forEach(c -> folded.put(fold(c), c));
        this.canonicalByFolded = Map.copyOf(folded);
        allowed.forEach(c -> exact.put(c, c));
        prohibited.keySet().forEach(c -> exact.put(c, c));
        this.prohibitedNames = new HashSet<>(prohibited.keySet());
    }

    public Set<String> allowed() { return allowed; }
    public Set<String> prohibited() { return prohibited.keySet(); }
    public List<String> keywords(String prohibitedCategory) { return prohibited.getOrDefault(prohibitedCategory, List.of()); }

    public boolean isKnown(String category) { return category != null && exact.containsKey(category); }
    public boolean isProhibited(String category) { return category != null && prohibitedNames.contains(category); }

    /**
     * The prohibited category that {@code category} (a category name from outside, in any
     * spelling) names or reveals by keyword, or null when it reveals none.
     */
    public String prohibitedCategoryOf(String category) {
        String canonical = canonical(category);
        if (canonical != null) {
            return prohibitedNames.contains(canonical) ? canonical : null;
        }
        return keywords.match(category);
    }

    /** The prohibited category a key (attribute key, factor code) reveals by keyword, or null. */
    public String revealedBy(String key) {
        return keywords.match(key);
    }

    /** The taxonomy's own spelling of {@code category}, or null when it is not in the taxonomy. */
    public String canonical(String category) {
        if (category == null) {
            return null;
        }
        String known = exact.get(category);
        return known != null ? known : canonicalByFolded.get(fold(category));
    }

    private static String fold(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '\uFF01' && c <= '\uFF5E') {
                c = (char) (c - 0xFEE0);
            }
            if (Character.isLetterOrDigit(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString();
    }
}
