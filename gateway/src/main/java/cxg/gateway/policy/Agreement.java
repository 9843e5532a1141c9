package cxg.gateway.policy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * One entry of {@code agreements.yaml}: {@code member} may use {@code purpose} for
 * {@code categories} at up to {@code disclosure}, on the UTC days validFrom..validUntil
 * (both inclusive), under {@code legalBasis}, at most {@code quotaPerMinute} times a minute.
 */
public record Agreement(String id, String member, String purpose, Set<String> categories, Disclosure disclosure,
                        LocalDate validFrom, LocalDate validUntil, String legalBasis, int quotaPerMinute) {

    public Agreement {
        categories = Set.copyOf(categories);
    }

    /** The rule name decisions cite, e.g. {@code agreements.yaml#court-enforcement}. */
    public String rule() {
        return "agreements.yaml#" + id;
    }

    public Instant start() {
        return validFrom.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** First instant after validity. */
    public Instant end() {
        return validUntil.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public boolean validOn(LocalDate day) {
        return !day.isBefore(validFrom) && !day.isAfter(validUntil);
    }

    public boolean overlaps(Agreement o) {
        return !validFrom.isAfter(o.validUntil) && !o.validFrom.isAfter(validUntil);
    }
}
