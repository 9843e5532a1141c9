package cxg.gateway.query;

import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.PolicyRepository;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

@Singleton
final class QueryConfiguration {

    @Produces
    @Singleton
    ScoreQueries scoreQueries(PolicyRepository policies, ScoreFanOut fanOut, ScorerEndpoints endpoints,
                              RatingPresenter presenter) {
        return new ScoreQueries(policies, new QueryValidator(), fanOut, endpoints, presenter, Clock.systemUTC());
    }
}
