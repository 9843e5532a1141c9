package cxg.gateway.query;

import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Member;
import cxg.v1.PlatformRating;
import cxg.v1.ReportedScore;
import cxg.v1.Withheld;
import java.util.List;
import java.util.Objects;

/**
 * THE seam where a platform's raw rating becomes what leaves the gateway. Every OK answer
 * passes through exactly one implementation before it is put into a report. The policy
 * engine's filter and normaliser implement it as a CDI bean, which replaces the
 * {@link MinimalRatingPresenter} default.
 */
public interface RatingPresenter {

    /**
     * @param platform the platform member that answered (its scale id is in policy)
     * @param raw      the rating exactly as the scorer connector sent it, unfiltered
     * @param decision the allow decision for this query: disclosure and granted categories
     */
    Presentation present(Member platform, PlatformRating raw, Decision decision);

    /** The score to report and what was removed from the raw rating, and why. */
    record Presentation(ReportedScore score, List<Withheld> withheld) {
        public Presentation {
            Objects.requireNonNull(score, "score");
            withheld = List.copyOf(withheld);
        }
    }
}
