package cxg.gateway.fanout;

import cxg.gateway.policy.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where each platform's scorer connector listens: as written in policy, unless
 * {@code cxg.gateway.scorer-endpoints.<member>=host:port} overrides it (used by {@code cxg up}
 * and by tests, which pick their own ports).
 */
public final class ScorerEndpoints {

    private final Map<String, String> overrides;
    /** The targets of the last platform list asked for: a policy set hands out the same list on every query. */
    private volatile Resolved last = new Resolved(List.of(), List.of());

    private record Resolved(List<Member> platforms, List<ScorerTarget> targets) {
    }

    public ScorerEndpoints(Map<String, String> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    /** Fan-out targets in policy order; platforms without any endpoint are left out. */
    public List<ScorerTarget> targets(List<Member> platforms) {
        Resolved resolved = last;
        if (resolved.platforms() != platforms) {
            resolved = new Resolved(platforms, resolve(platforms));
            last = resolved;
        }
        return resolved.targets();
    }

    private List<ScorerTarget> resolve(List<Member> platforms) {
        List<ScorerTarget> targets = new ArrayList<>(platforms.size());
        for (Member platform : platforms) {
            String endpoint = overrides.get(platform.id());
            if (endpoint == null) {
                endpoint = platform.scorerEndpoint().orElse(null);
            }
            if (endpoint != null && !endpoint.isBlank()) {
                targets.add(new ScorerTarget(platform.id(), endpoint.trim(), platform.certificateSubject()));
            }
        }
        return List.copyOf(targets);
    }
}
