package cxg.gateway.query;

import cxg.gateway.transport.Caller;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.QueryService;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

/** The gRPC face of {@link ScoreQueries}: the caller comes from the identity interceptor, failures become status. */
@GrpcService
public final class QueryGrpcService implements QueryService {

    private static final Logger LOG = Logger.getLogger(QueryGrpcService.class);

    private final ScoreQueries queries;

    QueryGrpcService(ScoreQueries queries) {
        this.queries = queries;
    }

    @Override
    public Uni<ScoreReport> queryScore(ScoreQuery request) {
        Caller caller = Caller.current();
        return Uni.createFrom().completionStage(() -> queries.query(caller.member(), request))
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
}
