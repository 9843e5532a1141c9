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

    /** Platforms with a scorer endpoint, in policy order: the fan-out targets of a score query. */
    List<Member> platforms();

    boolean isKnownPurpose(String purpose);

    boolean isKnownCategory(String category);

    /**
     * The one narrow policy question: may {@code caller} use {@code purpose} for
     * {@code categories} at {@code disclosure}? Never throws for a denial.
     */
    Decision decide(Member caller, String purpose, Set<String> categories, Disclosure disclosure);
}
