package cxg.gateway.identity;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which realm role may call which gateway service: duties are separated by role, so an auditor cannot
 * query scores and an agency cannot submit ratings. A service not listed here is called by no role. The
 * audit service answers auditors (every entry) and agencies (their own entries only); never platforms.
 */
public final class ServiceRoles {

    public static final String AGENCY = "agency";
    public static final String PLATFORM = "platform";
    public static final String AUDITOR = "auditor";

    private static final Map<String, SortedSet<String>> ROLES_BY_SERVICE = Map.of(
            "cxg.v1.QueryService", sorted(AGENCY),
            "cxg.v1.SubmissionService", sorted(PLATFORM),
            "cxg.v1.AuditService", sorted(AUDITOR, AGENCY));
    private static final SortedSet<String> NONE = sorted();

    private ServiceRoles() {
    }

    /** The roles that may call {@code service} (full gRPC service name, e.g. {@code cxg.v1.QueryService}), sorted; empty: none. */
    public static SortedSet<String> allowedRoles(String service) {
        return ROLES_BY_SERVICE.getOrDefault(service, NONE);
    }

    /** Unmodifiable: the same set answers every call. */
    private static SortedSet<String> sorted(String... roles) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(Set.of(roles)));
    }
}
