package cxg.gateway.policy;

import java.util.Set;

/**
 * A policy decision as a value: allowed or denied, the rule that decided it (e.g.
 * {@code agreements.yaml#court-enforcement}, or {@code default-deny}), a reason a person
 * can read, for an allow the disclosure and categories granted, and the kind of outcome.
 */
public record Decision(boolean allowed, String rule, String reason, Disclosure disclosure, Set<String> grantedCategories,
                       Outcome outcome) {

    /** Why a request was allowed or denied, for mapping to a status and for tests. */
    public enum Outcome {
        ALLOWED,
        /** The caller is not a member of the current policy set. */
        UNKNOWN_MEMBER,
        /** The purpose or a category is not in the policy set at all. */
        UNKNOWN_PURPOSE,
        UNKNOWN_CATEGORY,
        /** A prohibited category was requested; no agreement can grant one. */
        PROHIBITED_CATEGORY,
        /** No agreement grants this purpose to this member (default deny). */
        PURPOSE_NOT_GRANTED,
        /** The agreement exists but is not valid at the time of the request. */
        OUTSIDE_VALIDITY,
        CATEGORY_NOT_GRANTED,
        DISCLOSURE_NOT_GRANTED,
        /** The agreement's queries-per-minute quota is used up. */
        QUOTA_EXCEEDED,
        /** Denied for a reason given by the rule text only. */
        DENIED
    }

    public Decision {
        grantedCategories = Set.copyOf(grantedCategories);
        if (outcome == null || (outcome == Outcome.ALLOWED) != allowed) {
            throw new IllegalArgumentException("outcome " + outcome + " contradicts allowed=" + allowed);
        }
    }

    public Decision(boolean allowed, String rule, String reason, Disclosure disclosure, Set<String> grantedCategories) {
        this(allowed, rule, reason, disclosure, grantedCategories, allowed ? Outcome.ALLOWED : Outcome.DENIED);
    }

    public static Decision allow(String rule, String reason, Disclosure disclosure, Set<String> grantedCategories) {
        return new Decision(true, rule, reason, disclosure, grantedCategories, Outcome.ALLOWED);
    }

    public static Decision deny(String rule, String reason) {
        return new Decision(false, rule, reason, null, Set.of(), Outcome.DENIED);
    }

    public static Decision deny(Outcome outcome, String rule, String reason) {
        return new Decision(false, rule, reason, null, Set.of(), outcome);
    }
}
