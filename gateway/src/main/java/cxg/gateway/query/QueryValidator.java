package cxg.gateway.query;

import cxg.gateway.policy.Disclosure;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.subject.SubjectId;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.ScoreQuery;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Checks a score query at the edge, before policy or any platform sees it, and names the
 * first offending field: {@code subject.kind}, {@code subject.value}, {@code purpose},
 * {@code categories[i]}, {@code disclosure}, {@code request_id}.
 */
public final class QueryValidator {

    private static final Optional<Disclosure> TIER_ONLY = Optional.of(Disclosure.TIER_ONLY);
    private static final Optional<Disclosure> SCORE = Optional.of(Disclosure.SCORE);
    private static final Optional<Disclosure> FULL = Optional.of(Disclosure.FULL);
    private static final int ECHO_LIMIT = 64;

    private final Supplier<String> requestIds;

    public QueryValidator() {
        this(QueryValidator::randomRequestId);
    }

    QueryValidator(Supplier<String> requestIds) {
        this.requestIds = requestIds;
    }

    /**
     * A version-4 UUID from a per-thread generator: a request id names the request in the answer and the
     * audit log and needs to be unique, not secret, so it does not draw on the shared SecureRandom per query.
     */
    static String randomRequestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L)
                .toString();
    }

    public Outcome<ValidatedQuery> validate(ScoreQuery query, PolicySet policy) {
        if (!query.hasSubject()) {
            return invalid("subject", "is required");
        }
        SubjectId.Kind kind;
        switch (query.getSubject().getKind()) {
            case RESIDENT_ID -> kind = SubjectId.Kind.RESIDENT_ID;
            case UNIFIED_SOCIAL_CREDIT_CODE -> kind = SubjectId.Kind.UNIFIED_SOCIAL_CREDIT_CODE;
            default -> {
                return invalid("subject.kind", "must be RESIDENT_ID or UNIFIED_SOCIAL_CREDIT_CODE");
            }
        }
        String value = query.getSubject().getValue();
        Optional<SubjectId> subject = SubjectId.valid(kind, value);
        if (subject.isEmpty()) {
            Optional<String> problem = SubjectId.problem(kind, value);
            SubjectId.Kind other = kind == SubjectId.Kind.RESIDENT_ID
                    ? SubjectId.Kind.UNIFIED_SOCIAL_CREDIT_CODE : SubjectId.Kind.RESIDENT_ID;
            if (SubjectId.problem(other, value).isEmpty()) {
                return invalid("subject.kind", "is " + kind + " but the identifier is a valid " + other);
            }
            return invalid("subject.value", problem.get());
        }
        String purpose = query.getPurpose();
        if (purpose.isEmpty()) {
            return invalid("purpose", "is required");
        }
        if (!policy.isKnownPurpose(purpose)) {
            return invalid("purpose", "unknown purpose '" + echo(purpose) + "'");
        }
        Set<String> categories = query.getCategoriesCount() == 0 ? Set.of() : new HashSet<>();
        for (int i = 0; i < query.getCategoriesCount(); i++) {
            String category = query.getCategories(i);
            if (!policy.isKnownCategory(category)) {
                return invalid("categories[" + i + "]", "unknown category '" + echo(category) + "'");
            }
            categories.add(category);
        }
        Optional<Disclosure> disclosure;
        switch (query.getDisclosure()) {
            case DISCLOSURE_UNSPECIFIED -> disclosure = Optional.empty();
            case TIER_ONLY -> disclosure = TIER_ONLY;
            case SCORE -> disclosure = SCORE;
            case FULL -> disclosure = FULL;
            default -> {
                return invalid("disclosure", "must be TIER_ONLY, SCORE or FULL");
            }
        }
        String requestId = query.getRequestId();
        if (requestId.isEmpty()) {
            requestId = requestIds.get();
        } else if (!isRequestId(requestId)) {
            return invalid("request_id", "at most 128 characters of letters, digits and . _ : -");
        }
        return Outcome.ok(new ValidatedQuery(subject.get(), purpose, categories, disclosure, requestId));
    }

    /** 1 to 128 of {@code [A-Za-z0-9._:-]}. */
    static boolean isRequestId(String s) {
        if (s.isEmpty() || s.length() > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Outcome<ValidatedQuery> invalid(String field, String message) {
        return Outcome.fail(Failure.invalidArgument(field, message));
    }

    /** Names echoed back are bounded and printable; they are never subject data. */
    private static String echo(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > ECHO_LIMIT ? printable.substring(0, ECHO_LIMIT) + "..." : printable;
    }
}
