package cxg.gateway.policy;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One validated, immutable snapshot of everything in {@code policies/}. The gateway takes
 * the current snapshot once per request (see {@link PolicyRepository}) so that a request
 * is judged by one consistent set even while a reload swaps in another.
 */
public interface PolicySet {

    /** The member whose client certificate carries this subject (RFC 2253 form, compared as X.500 names). */
    Optional<Member> memberByCertificateSubject(String certificateSubject);

    Optional<Member> member(String id);

    /** Every member, in policy order. */
    List<Member> members();

    /** Platforms with a scorer endpoint, in policy order: the fan-out targets of a score query. */
    List<Member> platforms();

    boolean isKnownPurpose(String purpose);

    /** True for every category of the taxonomy, allowed or prohibited. */
    boolean isKnownCategory(String category);

    /**
     * The one narrow policy question: may {@code caller} use {@code purpose} for
     * {@code categories} at {@code disclosure}? Never throws for a denial. An empty
     * {@code categories} means all the agreement grants; a null {@code disclosure} means the
     * most it grants. Call it once per request: an allow spends one unit of the agreement's
     * per-minute quota.
     */
    Decision decide(Member caller, String purpose, Set<String> categories, Disclosure disclosure);

    /** Filters and normalises platform answers under this set's taxonomy and scales. */
    AnswerFilter answerFilter();

    /** The prohibited-data check for submissions, under this set's taxonomy. */
    ProhibitedDataCheck prohibitedDataCheck();

    CategoryTaxonomy categories();

    Optional<ScoreScaleDef> scale(String id);

    List<Agreement> agreements();

    /** How long ended (expired or lifted) submissions are kept before the retention job deletes them. */
    default Retention retention() {
        return Retention.DEFAULT;
    }
}
