package cxg.scorer.transport;

import cxg.scorer.identity.Masking;
import cxg.scorer.platform.PlatformClient;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerService;
import cxg.v1.SubjectKind;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Serves {@code cxg.v1.ScorerService} to the gateway (the interceptor has already checked the
 * caller) by asking the platform's REST API. Platform failures come back as statuses inside
 * the response; only a malformed request is a gRPC error.
 */
@GrpcService
public class ScorerGrpcService implements ScorerService {

    private static final Logger LOG = Logger.getLogger(ScorerGrpcService.class);
    private static final Pattern IDENTIFIER_SHAPE = Pattern.compile("[0-9A-Z]{18}");
    /** Answer TIMEOUT this much before the caller's deadline, so that the reason still reaches it. */
    private static final Duration DEADLINE_MARGIN = Duration.ofMillis(100);

    private final PlatformClient platform;

    public ScorerGrpcService(PlatformClient platform) {
        this.platform = platform;
    }

    @Override
    public Uni<ScorerResponse> getScore(ScorerRequest request) {
        Optional<Status> invalid = validate(request);
        if (invalid.isPresent()) {
            return Uni.createFrom().failure(invalid.get().asRuntimeException());
        }
        Duration budget = remaining(Context.current().getDeadline());
        Uni<ScorerResponse> answer = Uni.createFrom().completionStage(() -> platform.score(request, budget));
        if (!LOG.isDebugEnabled()) {
            return answer;
        }
        String subject = Masking.mask(request.getSubject().getValue());
        return answer.invoke(response -> LOG.debugf("request %s subject %s: %s", request.getRequestId(), subject,
                response.getStatus()));
    }

    /** The gateway validates check characters; here only what the platform call itself needs. */
    static Optional<Status> validate(ScorerRequest request) {
        if (!request.hasSubject()) {
            return Optional.of(GrpcErrors.invalidArgument("subject", "required"));
        }
        SubjectKind kind = request.getSubject().getKind();
        if (kind != SubjectKind.RESIDENT_ID && kind != SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE) {
            return Optional.of(GrpcErrors.invalidArgument("subject.kind",
                    "must be RESIDENT_ID or UNIFIED_SOCIAL_CREDIT_CODE"));
        }
        if (!IDENTIFIER_SHAPE.matcher(request.getSubject().getValue()).matches()) {
            return Optional.of(GrpcErrors.invalidArgument("subject.value",
                    "must be 18 characters of digits and upper-case letters"));
        }
        if (request.getPurpose().isBlank()) {
            return Optional.of(GrpcErrors.invalidArgument("purpose", "required"));
        }
        return Optional.empty();
    }

    private static Duration remaining(Deadline deadline) {
        if (deadline == null) {
            return Duration.ofDays(1);
        }
        return Duration.ofMillis(deadline.timeRemaining(TimeUnit.MILLISECONDS)).minus(DEADLINE_MARGIN);
    }
}
