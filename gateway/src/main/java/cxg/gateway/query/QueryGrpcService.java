package cxg.gateway.query;

import cxg.gateway.transport.Caller;
import cxg.gateway.transport.StatusMapping;
import cxg.gateway.transport.Outcome;
import cxg.v1.QueryService;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The gRPC face of {@link ScoreQueries} and {@link RestrictionChecks}, through {@link AuditedQueries}
 * and {@link AuditedRestrictionChecks} so that every answer is recorded first: the caller comes from the identity interceptor, failures become status.
 */
@GrpcService
public final class QueryGrpcService implements QueryService {

    private static final Logger LOG = Logger.getLogger(QueryGrpcService.class);

    private final AuditedQueries queries;
    private final AuditedRestrictionChecks restrictions;

    QueryGrpcService(AuditedQueries queries, AuditedRestrictionChecks restrictions) {
        this.queries = queries;
        this.restrictions = restrictions;
    }

    @Override
    public Uni<ScoreReport> queryScore(ScoreQuery request) {
        Caller caller = Caller.current();
        Executor answerOn = callersEventLoop();
        return Uni.createFrom().completionStage(() -> queries.query(caller.member(), request))
                // the audit log completes on its single writer thread: answer from the call's event loop, not from there
                .emitOn(answerOn)
                .map(outcome -> {
                    if (!outcome.isOk()) {
                        throw StatusMapping.toException(outcome.failure());
                    }
                    return outcome.value();
                })
                .onFailure(e -> !(e instanceof StatusRuntimeException)).transform(e -> {
                    LOG.error("score query failed inside the gateway", e);
                    return StatusMapping.internal();
                });
    }

    /**
     * The Vert.x context the call arrived on, whose event loop writes the answer anyway: emitting there costs
     * one thread hand-off (audit writer to event loop) where a worker in between would cost two.
     */
    private static Executor callersEventLoop() {
        Context context = Vertx.currentContext();
        if (context == null || !Context.isOnEventLoopThread()) {
            return Infrastructure.getDefaultWorkerPool();
        }
        return task -> context.runOnContext(ignored -> task.run());
    }

    /** Reads the store (JDBC) and waits for the audit log, so it runs on a worker thread, never on the event loop. */
    @Override
    public Uni<RestrictionAnswer> checkRestriction(RestrictionCheck request) {
        Caller caller = Caller.current();
        return Uni.createFrom().item(() -> {
            Outcome<RestrictionAnswer> outcome;
            try {
                outcome = restrictions.check(caller.member(), request);
            } catch (RuntimeException e) {
                LOG.error("restriction check failed inside the gateway", e);
                throw StatusMapping.internal();
            }
            if (!outcome.isOk()) {
                throw StatusMapping.toException(outcome.failure());
            }
            return outcome.value();
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
