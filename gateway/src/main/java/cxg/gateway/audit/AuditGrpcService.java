package cxg.gateway.audit;

import cxg.gateway.transport.Caller;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.AuditCheckpoint;
import cxg.v1.AuditService;
import cxg.v1.CheckpointRequest;
import cxg.v1.ExportRequest;
import cxg.v1.ExportResponse;
import cxg.v1.ListEntriesRequest;
import cxg.v1.ListEntriesResponse;
import cxg.v1.SubjectReportRequest;
import cxg.v1.SubjectReportResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The gRPC face of {@link AuditReader}. Reads block on tiles or the database, so every method runs
 * on a worker thread. Refusals and bad input map to status in {@link StatusMapping}; a log that cannot
 * be read answers UNAVAILABLE.
 */
@GrpcService
@Blocking
public final class AuditGrpcService implements AuditService {

    private static final Logger LOG = Logger.getLogger(AuditGrpcService.class);

    private final AuditReader reader;

    AuditGrpcService(AuditRecorder recorder) {
        this.reader = new AuditReader(recorder.log(), recorder.subjects());
    }

    @Override
    public Uni<ListEntriesResponse> listEntries(ListEntriesRequest request) {
        return answer(() -> reader.list(Caller.current().member(), request));
    }

    @Override
    public Uni<SubjectReportResponse> subjectReport(SubjectReportRequest request) {
        return answer(() -> reader.subjectReport(Caller.current().member(), request));
    }

    @Override
    public Uni<ExportResponse> export(ExportRequest request) {
        return answer(() -> reader.export(Caller.current().member(), request));
    }

    @Override
    public Uni<AuditCheckpoint> latestCheckpoint(CheckpointRequest request) {
        return answer(() -> reader.checkpoint(Caller.current().member(), request.getSignNow()));
    }

    private static <T> Uni<T> answer(Supplier<Outcome<T>> call) {
        Outcome<T> outcome;
        try {
            outcome = call.get();
        } catch (AuditStoreException | AuditUnavailableException | CompletionException e) {
            LOG.error("audit log could not be read", e);
            outcome = Outcome.fail(Failure.unavailable("the audit log cannot be read now; retry later"));
        } catch (RuntimeException e) {
            LOG.error("audit request failed inside the gateway", e);
            return Uni.createFrom().failure(StatusMapping.internal());
        }
        return outcome.isOk() ? Uni.createFrom().item(outcome.value())
                : Uni.createFrom().failure(StatusMapping.toException(outcome.failure()));
    }
}
