package cxg.agency.query;

import cxg.v1.Disclosure;
import cxg.v1.ScoreQuery;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A score query as the agency's systems state it (REST body or command line), checked for
 * shape only. Check characters, purposes and categories are judged by the gateway, which
 * owns the policy; the connector only refuses what can never be a valid request.
 */
public final class QueryInput {

    private static final Pattern RESIDENT_ID_SHAPE = Pattern.compile("\\d{17}[\\dXx]");
    private static final Pattern CATEGORY_SHAPE = Pattern.compile("[A-Z][A-Z0-9_]*");

    private final ScoreQuery query;

    private QueryInput(ScoreQuery query) {
        this.query = query;
    }

    /**
     * Validates raw input. {@code subjectKind} and {@code disclosure} may be null (inferred from
     * the identifier's format / left to the agreement); {@code categories} may be null or empty
     * (all granted categories).
     */
    public static Result of(String subject, String subjectKind, String purpose, List<String> categories,
            String disclosure) {
        if (subject == null || subject.isBlank()) {
            return Result.invalid("subject", "required");
        }
        String subjectValue = subject.strip();
        SubjectKind kind;
        if (subjectKind == null || subjectKind.isBlank()) {
            kind = inferKind(subjectValue);
        } else {
            Optional<SubjectKind> parsed = parseKind(subjectKind.strip());
            if (parsed.isEmpty()) {
                return Result.invalid("subjectKind", "must be RESIDENT_ID or UNIFIED_SOCIAL_CREDIT_CODE");
            }
            kind = parsed.get();
        }
        if (purpose == null || purpose.isBlank()) {
            return Result.invalid("purpose", "required");
        }
        List<String> normalizedCategories = new ArrayList<>();
        if (categories != null) {
            for (int i = 0; i < categories.size(); i++) {
                String category = categories.get(i);
                String name = category == null ? "" : category.strip().toUpperCase(Locale.ROOT);
                if (!CATEGORY_SHAPE.matcher(name).matches()) {
                    return Result.invalid("categories[" + i + "]",
                            name.isEmpty() ? "empty category" : "not a category name");
                }
                normalizedCategories.add(name);
            }
        }
        Disclosure level = Disclosure.DISCLOSURE_UNSPECIFIED;
        if (disclosure != null && !disclosure.isBlank()) {
            Optional<Disclosure> parsed = parseDisclosure(disclosure.strip());
            if (parsed.isEmpty()) {
                return Result.invalid("disclosure", "must be TIER_ONLY, SCORE or FULL");
            }
            level = parsed.get();
        }
        ScoreQuery query = ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(kind).setValue(subjectValue))
                .setPurpose(purpose.strip())
                .addAllCategories(normalizedCategories)
                .setDisclosure(level)
                .build();
        return new Result(new QueryInput(query), null);
    }

    /** 17 digits and a digit or X is a resident identity number; anything else is taken as an organisation code. */
    static SubjectKind inferKind(String subject) {
        return RESIDENT_ID_SHAPE.matcher(subject).matches()
                ? SubjectKind.RESIDENT_ID
                : SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE;
    }

    private static Optional<SubjectKind> parseKind(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.equals(SubjectKind.RESIDENT_ID.name())) {
            return Optional.of(SubjectKind.RESIDENT_ID);
        }
        if (upper.equals(SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE.name())) {
            return Optional.of(SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE);
        }
        return Optional.empty();
    }

    private static Optional<Disclosure> parseDisclosure(String text) {
        String upper = text.toUpperCase(Locale.ROOT).replace('-', '_');
        for (Disclosure d : List.of(Disclosure.TIER_ONLY, Disclosure.SCORE, Disclosure.FULL)) {
            if (d.name().equals(upper)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    public ScoreQuery toProto() {
        return query;
    }

    @Override
    public String toString() {
        // The subject identifier is never printed in full.
        return "QueryInput[subject=" + mask(query.getSubject().getValue()) + ", purpose=" + query.getPurpose()
                + ", categories=" + query.getCategoriesList() + ", disclosure=" + query.getDisclosure() + "]";
    }

    static String mask(String value) {
        if (value.length() <= 8) {
            return "*".repeat(value.length());
        }
        return value.substring(0, 4) + "*".repeat(value.length() - 8) + value.substring(value.length() - 4);
    }

    /** Either a valid input or the first error found. */
    public record Result(QueryInput input, InputError error) {
        static Result invalid(String field, String message) {
            return new Result(null, new InputError(field, message));
        }

        public boolean isValid() {
            return error == null;
        }
    }
}
