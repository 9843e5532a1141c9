package cxg.gateway.fanout;

import java.util.Objects;

/** One platform to ask: its member id and the host:port of its scorer connector. */
public record ScorerTarget(String platform, String endpoint) {
    public ScorerTarget {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(endpoint, "endpoint");
    }
}
