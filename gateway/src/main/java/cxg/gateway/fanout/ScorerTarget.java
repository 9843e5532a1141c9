package cxg.gateway.fanout;

import java.util.Objects;

/**
 * One platform to ask: its member id, the host:port of its scorer connector, and the
 * certificate subject the connector must present (the platform's own, from policy), so that
 * a subject identifier is never sent to anyone else.
 */
public record ScorerTarget(String platform, String endpoint, String certificateSubject) {
    public ScorerTarget {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(certificateSubject, "certificateSubject");
    }
}
