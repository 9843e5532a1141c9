package cxg.gateway.identity;

import java.util.Map;
import java.util.Optional;

/**
 * Which realm role may call which gateway service: duties are separated by role, so an auditor cannot
 * query scores and an agency cannot submit ratings. A service not listed here is called by no role.
 */
public final class ServiceRoles {

    public static final String AGENCY = "agency";
    public static final String PLATFORM = "platform";
    public static final String AUDITOR = "auditor";

    private static final Map<String, String> ROLE_BY_SERVICE = Map.of(
            "cxg.v1.QueryService", AGENCY,
            "cxg.v1.SubmissionService", PLATFORM,
            "cxg.v1.AuditService", AUDITOR);

    private ServiceRoles() {
    }

    /** The role that may call {@code service} (full gRPC service name, e.g. {@code cxg.v1.QueryService}). */
    public static Optional<String> requiredRole(String service) {
        return Optional.ofNullable(ROLE_BY_SERVICE.get(service));
    }
}
