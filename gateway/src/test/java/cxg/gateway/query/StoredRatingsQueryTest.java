package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.Timestamp;
import cxg.gateway.fanout.FakeScorer;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerChannels;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.store.IncomingItem;
import cxg.gateway.store.SubmissionStore;
import cxg.gateway.testing.TestPolicies;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformResult;
import cxg.v1.PlatformStatus;
import cxg.v1.RatingSubmission;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScorerResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionItem;
import cxg.v1.ValueSource;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored ratings in the score report: a platform that cannot answer live is reported from the store, marked STORED with its age. */
class StoredRatingsQueryTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final String RESIDENT = "11010519491231002X";

    @TempDir
    Path dir;

    private PolicySet policy;
    private FakeScorer alpha;
    private FakeScorer beta;
    private SubmissionStore store;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private ScoreQueries queries;
    private final List<String> readOn = new CopyOnWriteArrayList<>();
    private final ExecutorService storeReads = Executors.newSingleThreadExecutor(r -> new Thread(r, "store-read"));

    @BeforeEach
    void setUp() throws Exception {
        policy = TestPolicies.load(TestPolicies.copyTo(dir.resolve("policies")));
        alpha = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                .setRating(PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712).setScaleId("alpha-credit")
                        .setTier("excellent").setComputedAt(ts(NOW.minus(Duration.ofHours(1)))))
                .build());
        beta = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.UNAVAILABLE).build());
        store = SubmissionStore.open(SubmissionStore.h2Url(dir.resolve("data")), "sa", "", false);
        ScorerChannels plaintext = target -> channels.computeIfAbsent(target.endpoint(),
                e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
        queries = new ScoreQueries(() -> policy, new QueryValidator(() -> "q"), new ScoreFanOut(plaintext, Duration.ofSeconds(30)),
                new ScorerEndpoints(Map.of("alpha-credit", alpha.endpoint(), "beta-score", beta.endpoint())),
                new PolicyRatingPresenter(), Clock.fixed(NOW, ZoneOffset.UTC), (subject, now) -> {
                    readOn.add(Thread.currentThread().getName());
                    return store.newestByPlatform(subject, now);
                }, storeReads);
    }

    @AfterEach
    void tearDown() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        alpha.close();
        beta.close();
        store.close();
        storeReads.shutdownNow();
    }

    @Test
    void aPlatformThatCannotAnswerLiveIsReportedWithItsNewestStoredRatingAndItsAge() throws Exception {
        submit("beta-old", 650, NOW.minus(Duration.ofDays(20)), NOW.plus(Duration.ofDays(60)));
        submit("beta-new", 820, NOW.minus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(60)));
        submit("beta-expired", 990, NOW.minus(Duration.ofDays(1)), NOW.minus(Duration.ofHours(1)));

        ScoreReport report = query();

        PlatformResult live = report.getResults(0);
        assertEquals(ValueSource.LIVE, live.getScore().getSource());
        assertEquals(3600, live.getScore().getAgeSeconds());
        PlatformResult stored = report.getResults(1);
        assertEquals("beta-score", stored.getPlatform());
        assertEquals(PlatformStatus.OK, stored.getStatus());
        assertEquals(ValueSource.STORED, stored.getScore().getSource());
        assertEquals(820, stored.getScore().getOriginalValue(), "the newest valid rating, never the expired one");
        assertEquals("B", stored.getScore().getTier());
        assertEquals(Duration.ofDays(2).toSeconds(), stored.getScore().getAgeSeconds());
        assertFalse(stored.getDetail().isEmpty());
        assertEquals(List.of("store-read"), readOn, "the store is read on the blocking executor, not where the answers arrived");
    }

    @Test
    void aReportWithEveryPlatformAnsweredLiveDoesNotReadTheStore() throws Exception {
        beta.close();
        beta = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                .setRating(PlatformRating.newBuilder().setPlatform("beta-score").setValue(800).setScaleId("beta-score")
                        .setTier("B").setComputedAt(ts(NOW))).build());
        queries = new ScoreQueries(() -> policy, new QueryValidator(() -> "q"), new ScoreFanOut(target -> channels.computeIfAbsent(
                target.endpoint(), e -> NettyChannelBuilder.forTarget(e).usePlaintext().build()), Duration.ofSeconds(30)),
                new ScorerEndpoints(Map.of("alpha-credit", alpha.endpoint(), "beta-score", beta.endpoint())),
                new PolicyRatingPresenter(), Clock.fixed(NOW, ZoneOffset.UTC), (subject, now) -> {
                    readOn.add(Thread.currentThread().getName());
                    return store.newestByPlatform(subject, now);
                }, storeReads);

        ScoreReport report = query();

        assertEquals(ValueSource.LIVE, report.getResults(1).getScore().getSource());
        assertEquals(List.of(), readOn);
    }

    @Test
    void withNothingStoredTheLiveStatusStands() throws Exception {
        PlatformResult beta = query().getResults(1);
        assertEquals(PlatformStatus.UNAVAILABLE, beta.getStatus());
        assertFalse(beta.hasScore());
    }

    private ScoreReport query() throws Exception {
        ScoreQuery q = ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(RESIDENT))
                .setPurpose("court-enforcement").build();
        return queries.query(policy.member("court").orElseThrow(), q).toCompletableFuture().get(60, TimeUnit.SECONDS).value();
    }

    private void submit(String id, double value, Instant computedAt, Instant validUntil) throws Exception {
        SubmissionItem item = SubmissionItem.newBuilder().setItemId(id).setRating(RatingSubmission.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(RESIDENT))
                .setValue(value).setScaleId("beta-score").setTier("B")
                .setComputedAt(ts(computedAt)).setValidUntil(ts(validUntil))).build();
        byte[] payload = item.toByteArray();
        store.write("beta-score", List.of(new IncomingItem(item, payload,
                MessageDigest.getInstance("SHA-256").digest(payload), new byte[64], -1)), null, NOW);
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).build();
    }
}
