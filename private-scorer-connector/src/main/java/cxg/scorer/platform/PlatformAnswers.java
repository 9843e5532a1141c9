package cxg.scorer.platform;

import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerResponse;

/**
 * The one place that turns what happened at the platform into a {@link ScorerResponse}.
 * Details name what went wrong at the platform, never anything about the subject.
 */
public final class PlatformAnswers {

    private PlatformAnswers() {
    }

    public static ScorerResponse ok(PlatformRating rating) {
        return ScorerResponse.newBuilder().setStatus(PlatformStatus.OK).setRating(rating).build();
    }

    public static ScorerResponse noRating() {
        return ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING)
                .setDetail("platform has no rating for this subject").build();
    }

    public static ScorerResponse unavailable(String detail) {
        return ScorerResponse.newBuilder().setStatus(PlatformStatus.UNAVAILABLE).setDetail(detail).build();
    }

    public static ScorerResponse platformAnswered(int httpStatus) {
        return unavailable("platform answered " + httpStatus);
    }

    public static ScorerResponse malformed(String problem) {
        return unavailable("platform answered 200 with a malformed rating: " + problem);
    }

    public static ScorerResponse timeout(long millis) {
        return ScorerResponse.newBuilder().setStatus(PlatformStatus.TIMEOUT)
                .setDetail("platform did not answer within " + millis + " ms").build();
    }
}
