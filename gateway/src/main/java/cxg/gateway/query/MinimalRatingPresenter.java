package cxg.gateway.query;

import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import cxg.gateway.policy.Member;
import cxg.v1.PlatformRating;
import cxg.v1.ReportedScore;
import cxg.v1.ScoreScale;
import cxg.v1.ValueSource;
import cxg.v1.Withheld;
import io.quarkus.arc.DefaultBean;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Used until the policy engine supplies its filter and normaliser: reports the tier, and at
 * SCORE and above the platform's own value and scale id. It passes no factors and no
 * attributes at all, so nothing unfiltered can leave through it, and says so in the report.
 */
@Singleton
@DefaultBean
public final class MinimalRatingPresenter implements RatingPresenter {

    @Override
    public Presentation present(Member platform, PlatformRating raw, Decision decision) {
        ReportedScore.Builder score = ReportedScore.newBuilder()
                .setTier(raw.getTier())
                .setSource(ValueSource.LIVE);
        if (raw.hasComputedAt()) {
            score.setComputedAt(raw.getComputedAt());
        }
        if (raw.hasValidUntil()) {
            score.setValidUntil(raw.getValidUntil());
        }
        List<Withheld> withheld = new ArrayList<>();
        Disclosure disclosure = decision.disclosure();
        if (disclosure != null && disclosure.includes(Disclosure.SCORE)) {
            score.setOriginalValue(raw.getValue())
                    .setScale(ScoreScale.newBuilder().setId(raw.getScaleId()));
        } else {
            withheld.add(withheld(platform, "original_value", "disclosure TIER_ONLY"));
        }
        if (raw.getFactorsCount() > 0) {
            withheld.add(withheld(platform, "factors", "no factor filter installed"));
        }
        return new Presentation(score.build(), withheld);
    }

    private static Withheld withheld(Member platform, String field, String reason) {
        return Withheld.newBuilder().setPlatform(platform.id()).setField(field).setReason(reason).build();
    }
}
