package cxg.gateway.submission;

import cxg.gateway.audit.AuditUnavailableException;
import cxg.gateway.policy.Member;
import cxg.gateway.store.StoreException;
import cxg.gateway.transport.Caller;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionService;
import cxg.v1.SubmitRequest;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Provider;
import java.util.List;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The gRPC face of {@link Submissions}: one acknowledgement per item, in order. The store is
 * JDBC, so requests are handled on worker threads, never on the event loop, in a pipeline of
 * three ordered stages (verify and validate, store, audit). If the store cannot commit, the stream ends UNAVAILABLE and the unacknowledged
 * request's items are not stored.
 */
@GrpcService
public final class SubmissionGrpcService implements SubmissionService {

    private static final Logger LOG = Logger.getLogger(SubmissionGrpcService.class);

    // a Provider, so that the store opens on the first submission, not when the gateway starts
    private final Provider<Submissions> pipeline;
    private final AuditedSubmissions audit;

    SubmissionGrpcService(Provider<Submissions> pipeline, AuditedSubmissions audit) {
        this.pipeline = pipeline;
        this.audit = audit;
    }

    /** Requests waiting between two stages: enough to keep the next stage busy, no more in memory. */
    private static final int STAGE_BUFFER = 2;

    private record Stored(Submissions.Prepared prepared, List<SubmissionAck> acks) {
    }

    @Override
    public Multi<SubmissionAck> submit(Multi<SubmitRequest> requests) {
        Member caller = Caller.current().member();
        Outcome<Member> admitted = Submissions.admit(caller);
        if (!admitted.isOk()) {
            Failure refusal = admitted.failure();
            return Uni.createFrom().completionStage(() -> audit.recordRefusal(caller, refusal))
                    .onItemOrFailure().<SubmissionAck>transform((index, e) -> {
                        throw StatusMapping.toException(e == null ? refusal : Failure.unavailable(AuditedSubmissions.NOT_RECORDED));
                    })
                    .toMulti();
        }
        Member platform = admitted.value();
        Executor workers = Infrastructure.getDefaultWorkerPool();
        // Three stages, each serial and in order, handing over through small queues: while one request is
        // audited, the next is written and the one after it verified and validated. Acknowledgements still
        // leave only after their request's commit and audit entry, in order; a failure ends the stream
        // before anything that follows it is acknowledged (a request committed but not yet audited then
        // stays unacknowledged, and its resubmission answers DUPLICATE).
        return requests.emitOn(workers)
                .onItem().transform(request -> pipeline.get().prepare(platform, request))
                .emitOn(workers, STAGE_BUFFER)
                .onItem().transform(prepared -> new Stored(prepared, pipeline.get().store(prepared)))
                .emitOn(workers, STAGE_BUFFER)
                .onItem().transformToIterable(stored -> audit.record(platform, stored.prepared().subjects(), stored.acks()))
                .onFailure(e -> !(e instanceof StatusRuntimeException)).transform(e -> {
                    if (e instanceof AuditUnavailableException) {
                        LOG.errorf("submission from %s not recorded in the audit log", platform.id());
                        return StatusMapping.toException(Failure.unavailable(AuditedSubmissions.NOT_RECORDED));
                    }
                    if (e instanceof StoreException) {
                        LOG.errorf(e, "submission from %s not stored", platform.id());
                        return StatusMapping.toException(Failure.unavailable(
                                "the rating store could not commit; resubmit the unacknowledged items (any already stored answer DUPLICATE)"));
                    }
                    LOG.error("submission failed inside the gateway", e);
                    return StatusMapping.internal();
                });
    }
}
