package cxg.gateway.fanout;

import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks every platform at once under one deadline and always completes with one answer per
 * platform, in the order given: a platform that fails becomes UNAVAILABLE, one that misses
 * the deadline TIMEOUT. No platform can fail the whole query or hold it past the deadline.
 * The deadline is the platform timeout or the caller's remaining deadline (the current gRPC
 * context's), whichever ends first; a caller that cancels cancels the platform calls (grpc-java
 * ties a client call to the context it was started in).
 */
public final class ScoreFanOut {

    private final ScorerChannels channels;
    private final Duration deadline;

    public ScoreFanOut(ScorerChannels channels, Duration deadline) {
        this.channels = Objects.requireNonNull(channels, "channels");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the query deadline must be positive");
        }
        this.deadline = deadline;
    }

    public Duration deadline() {
        return deadline;
    }

    public CompletableFuture<List<PlatformAnswer>> ask(List<ScorerTarget> targets, ScorerRequest request) {
        Deadline shared = Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS);
        Deadline callers = Context.current().getDeadline();
        if (callers != null) {
            shared = shared.minimum(callers);
        }
        if (targets.size() == 1) {
            // one platform: its call completes the query's list itself, without a further stage per query
            OnlyCall only = new OnlyCall(targets.get(0).platform());
            start(only, targets.get(0), request, shared);
            return only.answers;
        }
        List<CompletableFuture<PlatformAnswer>> calls = new ArrayList<>(targets.size());
        for (ScorerTarget target : targets) {
            OneOfCalls call = new OneOfCalls(target.platform());
            start(call, target, request, shared);
            calls.add(call.answer);
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> calls.stream().map(CompletableFuture::join).toList());
    }

    private void start(Call call, ScorerTarget target, ScorerRequest request, Deadline deadline) {
        try {
            // the unary call without a stub or stream observer: one listener object per platform and query
            ClientCall<ScorerRequest, ScorerResponse> grpc = channels.channel(target)
                    .newCall(ScorerServiceGrpc.getGetScoreMethod(), CallOptions.DEFAULT.withDeadline(deadline));
            grpc.start(call, new Metadata());
            grpc.request(2);
            try {
                grpc.sendMessage(request);
                grpc.halfClose();
            } catch (RuntimeException e) {
                grpc.cancel("sending the request failed", e);
            }
        } catch (RuntimeException e) {
            // e.g. an endpoint that is not a valid address: this platform only is unavailable
            call.done(PlatformAnswer.unrated(target.platform(), PlatformStatus.UNAVAILABLE,
                    "scorer endpoint unusable", millisSince(call.started)));
        }
    }

    /** One platform's call: keeps its answer and hands it on once the call closes. */
    private abstract static class Call extends ClientCall.Listener<ScorerResponse> {
        final long started = System.nanoTime();
        private final String platform;
        private ScorerResponse response;

        Call(String platform) {
            this.platform = platform;
        }

        abstract void done(PlatformAnswer answer);

        @Override
        public void onMessage(ScorerResponse message) {
            response = message;
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            done(status.isOk()
                    ? answered(platform, response, millisSince(started))
                    : failed(platform, status, millisSince(started)));
        }
    }

    /** The call of a query asking one platform: completes the query's list of answers. */
    private static final class OnlyCall extends Call {
        final CompletableFuture<List<PlatformAnswer>> answers = new CompletableFuture<>();

        OnlyCall(String platform) {
            super(platform);
        }

        @Override
        void done(PlatformAnswer answer) {
            answers.complete(List.of(answer));
        }
    }

    /** One of several platforms' calls: completes its own answer; the query waits for all of them. */
    private static final class OneOfCalls extends Call {
        final CompletableFuture<PlatformAnswer> answer = new CompletableFuture<>();

        OneOfCalls(String platform) {
            super(platform);
        }

        @Override
        void done(PlatformAnswer answer) {
            this.answer.complete(answer);
        }
    }

    static PlatformAnswer answered(String platform, ScorerResponse response, long millis) {
        if (response == null) {
            return PlatformAnswer.unrated(platform, PlatformStatus.UNAVAILABLE, "scorer connector sent no answer", millis);
        }
        return switch (response.getStatus()) {
            case OK -> response.hasRating()
                    ? PlatformAnswer.rated(platform, response.getRating(), millis)
                    : PlatformAnswer.unrated(platform, PlatformStatus.UNAVAILABLE, "scorer connector answered OK without a rating", millis);
            case NO_RATING, UNAVAILABLE, TIMEOUT -> PlatformAnswer.unrated(platform, response.getStatus(),
                    connectorDetail(response), millis);
            default -> PlatformAnswer.unrated(platform, PlatformStatus.UNAVAILABLE, "scorer connector answered without a status", millis);
        };
    }

    static PlatformAnswer failed(String platform, Status status, long millis) {
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return PlatformAnswer.unrated(platform, PlatformStatus.TIMEOUT, "no answer within the query deadline", millis);
        }
        return PlatformAnswer.unrated(platform, PlatformStatus.UNAVAILABLE,
                "scorer connector call failed: " + status.getCode(), millis);
    }

    /** The connector's own detail, bounded; connectors promise it carries no subject data. */
    private static String connectorDetail(ScorerResponse response) {
        String detail = response.getDetail();
        return detail.length() > 200 ? detail.substring(0, 200) : detail;
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
