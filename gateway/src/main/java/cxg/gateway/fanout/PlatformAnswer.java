package cxg.gateway.fanout;

import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import java.util.Objects;
import java.util.Optional;

/**
 * What one platform answered within the query's deadline: its status, the raw (unfiltered)
 * rating when the status is OK, a detail for people that never carries subject data, and how
 * long the platform took as seen by the gateway.
 */
public record PlatformAnswer(String platform, PlatformStatus status, Optional<PlatformRating> rating, String detail,
                             long latencyMillis) {

    public PlatformAnswer {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(rating, "rating");
        if ((status == PlatformStatus.OK) != rating.isPresent()) {
            throw new IllegalArgumentException("a rating comes with status OK and only then");
        }
        detail = detail == null ? "" : detail;
    }

    static PlatformAnswer rated(String platform, PlatformRating rating, long latencyMillis) {
        return new PlatformAnswer(platform, PlatformStatus.OK, Optional.of(rating), "", latencyMillis);
    }

    static PlatformAnswer unrated(String platform, PlatformStatus status, String detail, long latencyMillis) {
        return new PlatformAnswer(platform, status, Optional.empty(), detail, latencyMillis);
    }
}
