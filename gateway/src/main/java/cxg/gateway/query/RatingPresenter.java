package cxg.gateway.query;

import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicySet;
import cxg.v1.PlatformRating;
import cxg.v1.ReportedScore;
import cxg.v1.Withheld;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * THE seam where a platform's raw rating becomes what leaves the gateway: every OK answer
 * passes through it exactly once before it is put into a report.
 */
public interface RatingPresenter {

    /**
     * @param policy   the policy snapshot the request was decided with
     * @param platform the platform member that answered
     * @param raw      the rating exactly as the scorer connector sent it, unfiltered
     * @param decision the allow decision for this request: disclosure and granted categories
     * @param finish   sets the fields the presenter does not own (where the value came from, its age) on the
     *                 presented score before it is built, so that the score is built once
     */
    Presentation present(PolicySet policy, Member platform, PlatformRating raw, Decision decision,
                         Consumer<ReportedScore.Builder> finish);

    /** The score to report and what was removed from the raw rating, and why. */
    record Presentation(ReportedScore score, List<Withheld> withheld) {
        public Presentation {
            Objects.requireNonNull(score, "score");
            withheld = List.copyOf(withheld);
        }
    }
}
