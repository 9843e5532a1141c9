package cxg.bench.load;

import cxg.v1.Disclosure;
import cxg.v1.PlatformResult;
import cxg.v1.PlatformStatus;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/** The two calls the report compares: an agency's score query to the gateway, and the gateway's call to a scorer. */
public final class GrpcTargets {

    public static final String SUBJECT = "11010519491231002X";
    public static final String PURPOSE = "court-enforcement";

    private GrpcTargets() {
    }

    /** The report's score query: the court asks about the demo subject for court enforcement, full disclosure. */
    public static ScoreQuery reportQuery() {
        return ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(SUBJECT))
                .setPurpose(PURPOSE)
                .setDisclosure(Disclosure.FULL)
                .build();
    }

    /** {@code QueryService/QueryScore} as an agency sends it; DEGRADED if any platform did not answer OK. */
    public static CallTarget queryScore(Channel channel, Duration deadline) {
        ScoreQuery query = reportQuery();
        return unary(channel, QueryServiceGrpc.getQueryScoreMethod(), () -> query, deadline, GrpcTargets::firstNotOk);
    }

    /**
     * {@code ScorerService/GetScore} as the gateway sends it for the report's query (direct baseline, and through the
     * bare hop): the subject, the purpose, the categories the gateway's decision granted, and a new request id on
     * every call, which the connector passes on to its platform as the gateway's are.
     */
    public static CallTarget getScore(Channel channel, Duration deadline, List<String> categories) {
        ScorerRequest asked = ScorerRequest.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(SUBJECT))
                .setPurpose(PURPOSE)
                .addAllCategories(categories)
                .build();
        return unary(channel, ScorerServiceGrpc.getGetScoreMethod(), () -> asked.toBuilder().setRequestId(requestId()).build(),
                deadline, r -> r.getStatus() == PlatformStatus.OK ? null : r.getStatus().name());
    }

    /** A version-4 UUID, as the gateway makes one for a query that names none. */
    static String requestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L)
                .toString();
    }

    private static String firstNotOk(ScoreReport report) {
        if (report.getResultsCount() == 0) {
            return "NO_PLATFORM";
        }
        for (PlatformResult r : report.getResultsList()) {
            if (r.getStatus() != PlatformStatus.OK) {
                return r.getPlatform() + ":" + r.getStatus().name();
            }
        }
        return null;
    }

    private static <Q, R> CallTarget unary(Channel channel, MethodDescriptor<Q, R> method, Supplier<Q> requests, Duration deadline,
                                           Function<R, String> notOk) {
        long deadlineNanos = deadline.toNanos();
        return done -> ClientCalls.asyncUnaryCall(
                channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)),
                requests.get(), new StreamObserver<R>() {
                    private String problem;

                    @Override
                    public void onNext(R value) {
                        problem = notOk.apply(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.done(CallTarget.Kind.FAILED, Status.fromThrowable(t).getCode().name());
                    }

                    @Override
                    public void onCompleted() {
                        done.done(problem == null ? CallTarget.Kind.OK : CallTarget.Kind.DEGRADED, problem);
                    }
                });
    }
}
