package cxg.gateway.query;

import cxg.gateway.subject.SubjectId;
import cxg.v1.PlatformRating;
import java.time.Instant;
import java.util.Map;

/**
 * Ratings platforms submitted earlier and the gateway holds: the newest still-valid one per
 * platform for a subject, as the platform sent it. A score report falls back on them when a
 * platform cannot answer live, marking the value STORED with its age.
 */
@FunctionalInterface
public interface StoredRatings {

    StoredRatings NONE = (subject, now) -> Map.of();

    /** Keyed by platform id; never contains an expired rating. */
    Map<String, PlatformRating> newestByPlatform(SubjectId subject, Instant now);
}
