package cxg.gateway.query;

import cxg.gateway.transport.Caller;
import cxg.gateway.transport.Outcome;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * The gRPC face of {@link ScoreQueries} and {@link RestrictionChecks}, through {@link AuditedQueries}
 * and {@link AuditedRestrictionChecks} so that every answer is recorded first: the caller comes from the identity
 * interceptor, failures become status. The call's gRPC context goes with each query, so that a query whose caller
 * has gone is not worked on (see {@link AuditedQueries}). Written against the plain gRPC stub rather than the Mutiny one: a query
 * is one completion stage, and a Uni pipeline around it (with context propagation on each step) was a measurable
 * part of the gateway's per-call cost.
 */
@GrpcService
public final class QueryGrpcService extends QueryServiceGrpc.QueryServiceImplBase {

    private static final Logger LOG = Logger.getLogger(QueryGrpcService.class);

    private final AuditedQueries queries;
    private final AuditedRestrictionChecks restrictions;

    public QueryGrpcService(AuditedQueries queries, AuditedRestrictionChecks restrictions) {
        this.queries = queries;
        this.restrictions = restrictions;
    }

    @Override
    public void queryScore(ScoreQuery request, StreamObserver<ScoreReport> answer) {
        Caller caller = Caller.current();
        Answer reply = new Answer(answer, Vertx.currentContext());
        try {
            queries.query(caller.member(), request, io.grpc.Context.current()).whenComplete(reply);
        } catch (RuntimeException e) {
            respond(answer, null, e, "score query");
        }
    }

    /**
     * A query's answer, sent from the Vert.x context the call arrived on, whose event loop writes it anyway: the
     * audit log completes on its single writer thread, and answering on the caller's event loop costs one thread
     * hand-off (audit writer to event loop) where a worker in between would cost two. One object per call is the
     * completion callback and the task on the event loop (was four lambdas).
     */
    private static final class Answer implements BiConsumer<Outcome<ScoreReport>, Throwable>, Handler<Void>, Runnable {
        private final StreamObserver<ScoreReport> answer;
        /** Null when the call did not arrive on an event loop: then the answer is sent from a worker. */
        private final Context context;
        private Outcome<ScoreReport> outcome;
        private Throwable error;

        Answer(StreamObserver<ScoreReport> answer, Context context) {
            this.answer = answer;
            this.context = context != null && Context.isOnEventLoopThread() ? context : null;
        }

        @Override
        public void accept(Outcome<ScoreReport> outcome, Throwable error) {
            // written before the hand-off, read after it: runOnContext and the worker pool's queue order the two
            this.outcome = outcome;
            this.error = error;
            if (context != null) {
                context.runOnContext(this);
            } else {
                Infrastructure.getDefaultWorkerPool().execute(this);
            }
        }

        @Override
        public void handle(Void ignored) {
            run();
        }

        @Override
        public void run() {
            respond(answer, outcome, error, "score query");
        }
    }

    /** Reads the store (JDBC) and waits for the audit log, so it runs on a worker thread, never on the event loop. */
    @Override
    public void checkRestriction(RestrictionCheck request, StreamObserver<RestrictionAnswer> answer) {
        Caller caller = Caller.current();
        io.grpc.Context call = io.grpc.Context.current();
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            Outcome<RestrictionAnswer> outcome = null;
            RuntimeException error = null;
            try {
                outcome = restrictions.check(caller.member(), request, call);
            } catch (RuntimeException e) {
                error = e;
            }
            respond(answer, outcome, error, "restriction check");
        });
    }

    /**
     * The answer, the refusal as its status, or (an error inside the gateway) INTERNAL without its message; nothing
     * for a caller that has gone (its call is closed already).
     */
    private static <T> void respond(StreamObserver<T> answer, Outcome<T> outcome, Throwable error, String what) {
        if (answer instanceof ServerCallStreamObserver<T> call && call.isCancelled()) {
            return;
        }
        if (error != null) {
            LOG.error(what + " failed inside the gateway", error);
            answer.onError(StatusMapping.internal());
        } else if (!outcome.isOk()) {
            answer.onError(StatusMapping.toException(outcome.failure()));
        } else {
            answer.onNext(outcome.value());
            answer.onCompleted();
        }
    }
}
