package cxg.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScoreFanOutTest {

    /** Long enough for a first connection on a loaded machine; calls that answer end long before it. */
    private static final Duration GENEROUS = Duration.ofSeconds(30);
    private static final ScorerRequest REQUEST = ScorerRequest.newBuilder().setPurpose("loan-eligibility").setRequestId("r-1").build();

    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ScorerChannels plaintext = target -> channels.computeIfAbsent(target.endpoint(),
            e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());

    @AfterEach
    void close() throws Exception {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static ScorerTarget target(String platform, String endpoint) {
        return new ScorerTarget(platform, endpoint, "CN=" + platform + ",OU=platform,O=cxg-demo");
    }

    private FakeScorer start(FakeScorer scorer) {
        open.add(scorer);
        return scorer;
    }

    private static ScorerResponse rated(double value) {
        return ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                .setRating(PlatformRating.newBuilder().setValue(value).setTier("good").setScaleId("alpha")).build();
    }

    @Test
    void reportsEachPlatformsOwnAnswerInPolicyOrder() throws Exception {
        FakeScorer alpha = start(FakeScorer.answering(r -> rated(712)));
        FakeScorer beta = start(FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build()));

        List<PlatformAnswer> answers = new ScoreFanOut(plaintext, GENEROUS)
                .ask(List.of(target("alpha-credit", alpha.endpoint()), target("beta-score", beta.endpoint())), REQUEST)
                .get(60, TimeUnit.SECONDS);

        assertEquals(List.of("alpha-credit", "beta-score"), answers.stream().map(PlatformAnswer::platform).toList());
        assertEquals(PlatformStatus.OK, answers.get(0).status());
        assertEquals(712, answers.get(0).rating().orElseThrow().getValue());
        assertEquals(PlatformStatus.NO_RATING, answers.get(1).status());
        assertTrue(answers.get(1).rating().isEmpty());
        assertEquals("r-1", alpha.received.get(0).getRequestId());
        assertEquals(1, beta.received.size());
    }

    @Test
    void passesOnTheConnectorsOwnUnavailableAndTimeoutStatuses() throws Exception {
        FakeScorer down = start(FakeScorer.answering(r -> ScorerResponse.newBuilder()
                .setStatus(PlatformStatus.UNAVAILABLE).setDetail("platform answered 503").build()));
        FakeScorer slowPlatform = start(FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.TIMEOUT).build()));

        List<PlatformAnswer> answers = new ScoreFanOut(plaintext, GENEROUS)
                .ask(List.of(target("a", down.endpoint()), target("b", slowPlatform.endpoint())), REQUEST)
                .get(60, TimeUnit.SECONDS);

        assertEquals(PlatformStatus.UNAVAILABLE, answers.get(0).status());
        assertEquals("platform answered 503", answers.get(0).detail());
        assertEquals(PlatformStatus.TIMEOUT, answers.get(1).status());
    }

    @Test
    void deadEndpointIsUnavailableWhileTheOthersStillAnswer() throws Exception {
        FakeScorer alpha = start(FakeScorer.answering(r -> rated(640)));
        String dead = "127.0.0.1:" + freePortNobodyListensOn();

        List<PlatformAnswer> answers = new ScoreFanOut(plaintext, GENEROUS)
                .ask(List.of(target("alpha-credit", alpha.endpoint()), target("beta-score", dead)), REQUEST)
                .get(60, TimeUnit.SECONDS);

        assertEquals(PlatformStatus.OK, answers.get(0).status());
        assertEquals(PlatformStatus.UNAVAILABLE, answers.get(1).status());
        assertTrue(answers.get(1).detail().contains("UNAVAILABLE"), answers.get(1).detail());
    }

    @Test
    void platformThatNeverAnswersTimesOutAndTheQueryStillCompletes() throws Exception {
        FakeScorer alpha = start(FakeScorer.answering(r -> rated(640)));
        FakeScorer hanging = start(FakeScorer.hanging());
        Duration deadline = Duration.ofSeconds(1);
        // connect to the answering platform first, so that the short deadline only tests the hanging one
        new ScoreFanOut(plaintext, GENEROUS).ask(List.of(target("alpha-credit", alpha.endpoint())), REQUEST)
                .get(60, TimeUnit.SECONDS);

        // the hanging scorer would hold the call forever: only the deadline can end it
        List<PlatformAnswer> answers = new ScoreFanOut(plaintext, deadline)
                .ask(List.of(target("alpha-credit", alpha.endpoint()), target("beta-score", hanging.endpoint())), REQUEST)
                .get(60, TimeUnit.SECONDS);

        assertEquals(PlatformStatus.OK, answers.get(0).status());
        assertEquals(PlatformStatus.TIMEOUT, answers.get(1).status());
    }

    @Test
    void connectorAnsweringOkWithoutRatingCountsAsUnavailable() throws Exception {
        FakeScorer broken = start(FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK).build()));

        List<PlatformAnswer> answers = new ScoreFanOut(plaintext, GENEROUS)
                .ask(List.of(target("alpha-credit", broken.endpoint())), REQUEST)
                .get(60, TimeUnit.SECONDS);

        assertEquals(PlatformStatus.UNAVAILABLE, answers.get(0).status());
    }

    @Test
    void noPlatformsGivesAnEmptyAnswer() throws Exception {
        assertEquals(List.of(), new ScoreFanOut(plaintext, Duration.ofSeconds(1)).ask(List.of(), REQUEST).get(5, TimeUnit.SECONDS));
    }

    private static int freePortNobodyListensOn() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
