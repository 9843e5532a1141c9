package cxg.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fan-out inside a caller's gRPC call: it waits no longer than the caller does, and stops when the caller
 * cancels. The platform timeout here is far longer than any test may take, so a fan-out that ignored the
 * caller would not complete within the bound of {@code get}.
 */
class FanOutCallerDeadlineTest {

    private static final Duration PLATFORM_TIMEOUT = Duration.ofMinutes(10);
    private static final ScorerRequest REQUEST = ScorerRequest.newBuilder().setPurpose("loan-eligibility").setRequestId("r-1").build();

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ScorerChannels plaintext = target -> channels.computeIfAbsent(target.endpoint(),
            e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final FakeScorer hanging = FakeScorer.hanging();

    FanOutCallerDeadlineTest() throws Exception {
    }

    @AfterEach
    void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        hanging.close();
        timer.shutdownNow();
    }

    private List<ScorerTarget> targets() {
        return List.of(new ScorerTarget("alpha-credit", hanging.endpoint(), "CN=alpha-credit,OU=platform,O=cxg-demo"));
    }

    @Test
    void platformCallsEndAtTheCallersDeadlineWhenItComesBeforeThePlatformTimeout() throws Exception {
        ScoreFanOut fanOut = new ScoreFanOut(plaintext, PLATFORM_TIMEOUT);
        Context.CancellableContext caller = Context.current().withDeadline(Deadline.after(2, TimeUnit.SECONDS), timer);
        try {
            CompletableFuture<List<PlatformAnswer>> answers = caller.call(() -> fanOut.ask(targets(), REQUEST));

            PlatformAnswer answer = answers.get(2, TimeUnit.MINUTES).get(0);
            assertEquals(PlatformStatus.TIMEOUT, answer.status());
            assertEquals("no answer within the query deadline", answer.detail());
        } finally {
            caller.cancel(null);
        }
    }

    @Test
    void callerThatCancelsCancelsThePlatformCalls() throws Exception {
        ScoreFanOut fanOut = new ScoreFanOut(plaintext, PLATFORM_TIMEOUT);
        Context.CancellableContext caller = Context.current().withCancellation();
        CompletableFuture<List<PlatformAnswer>> answers = caller.call(() -> fanOut.ask(targets(), REQUEST));
        for (int i = 0; hanging.received.isEmpty(); i++) {
            if (i > 6_000) {
                throw new AssertionError("the platform was never asked");
            }
            Thread.sleep(10);
        }

        caller.cancel(null);

        PlatformAnswer answer = answers.get(2, TimeUnit.MINUTES).get(0);
        assertEquals(PlatformStatus.UNAVAILABLE, answer.status());
        assertEquals("scorer connector call failed: CANCELLED", answer.detail());
    }
}
