package cxg.gateway.policy;

import java.util.Set;

/**
 * A policy decision as a value: allowed or denied, the rule that decided it (e.g.
 * {@code agreements.yaml#court-enforcement}, or {@code default-deny}), a reason a person
 * can read, and for an allow the disclosure and categories granted.
 */
public record Decision(boolean allowed, String rule, String reason, Disclosure disclosure, Set<String> grantedCategories) {

    public Decision {
        grantedCategories = Set.copyOf(grantedCategories);
    }

    public static Decision allow(String rule, String reason, Disclosure disclosure, Set<String> grantedCategories) {
        return new Decision(true, rule, reason, disclosure, grantedCategories);
    }

    public static Decision deny(String rule, String reason) {
        return new Decision(false, rule, reason, null, Set.of());
    }
}
