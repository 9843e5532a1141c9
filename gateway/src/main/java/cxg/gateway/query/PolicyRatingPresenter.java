package cxg.gateway.query;

import cxg.gateway.policy.AnswerFilter;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicySet;
import cxg.v1.PlatformRating;
import cxg.v1.ReportedScore;
import jakarta.inject.Singleton;
import java.util.function.Consumer;

/** Presents a live rating through the policy engine's filter and normaliser ({@link AnswerFilter}). */
@Singleton
public final class PolicyRatingPresenter implements RatingPresenter {

    @Override
    public Presentation present(PolicySet policy, Member platform, PlatformRating raw, Decision decision,
                                Consumer<ReportedScore.Builder> finish) {
        AnswerFilter.Filtered filtered = policy.answerFilter().filter(platform.id(), raw, decision, finish);
        return new Presentation(filtered.score(), filtered.withheld());
    }
}
