package cxg.gateway.query;

import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.PolicyRepository;
import cxg.gateway.store.StoredRecord;
import cxg.gateway.store.SubmissionStore;
import cxg.gateway.transport.Admission;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

@Singleton
final class QueryConfiguration {

    private static final Logger LOG = Logger.getLogger(QueryConfiguration.class);

    @Produces
    @Singleton
    ScoreQueries scoreQueries(PolicyRepository policies, ScoreFanOut fanOut, ScorerEndpoints endpoints,
                              RatingPresenter presenter, Provider<SubmissionStore> store) {
        return new ScoreQueries(policies, new QueryValidator(), fanOut, endpoints, presenter, Clock.systemUTC(),
                (subject, now) -> {
                    try {
                        return store.get().newestByPlatform(subject, now);
                    } catch (RuntimeException e) {
                        // the live answers still make a report; only the stored fallback is missing
                        LOG.warn("stored ratings unavailable for this report", e);
                        return Map.of();
                    }
                }, Infrastructure.getDefaultWorkerPool());
    }

    @Produces
    @Singleton
    Admission admission(@ConfigProperty(name = Admission.LIMIT_SETTING, defaultValue = "1024") int maxInFlight) {
        return new Admission(maxInFlight);
    }

    @Produces
    @Singleton
    AuditedQueries auditedQueries(ScoreQueries queries, AuditRecorder recorder, Admission admission) {
        return new AuditedQueries(queries, recorder, admission);
    }

    @Produces
    @Singleton
    RestrictionChecks restrictionChecks(PolicyRepository policies, Provider<SubmissionStore> store) {
        return new RestrictionChecks(policies, new QueryValidator(), (subject, now) -> store.get().records(subject, now)
                .stream().map(StoredRecord::record).toList(), Clock.systemUTC());
    }

    @Produces
    @Singleton
    AuditedRestrictionChecks auditedRestrictionChecks(RestrictionChecks checks, AuditRecorder recorder, Admission admission) {
        return new AuditedRestrictionChecks(checks, recorder, Duration.ofSeconds(10), admission);
    }
}
