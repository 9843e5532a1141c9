package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.fanout.FakeScorer;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerChannels;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.Disclosure;
import cxg.v1.Factor;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScorerResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScoreQueriesTest {

    private FakeScorer alpha;
    private FakeScorer beta;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private ScoreQueries queries;

    @BeforeEach
    void setUp() throws Exception {
        alpha = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                .setRating(PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712).setScaleId("alpha-credit")
                        .setTier("good").addFactors(Factor.newBuilder().setCategory("MEDICAL").setCode("diagnosis")))
                .build());
        beta = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build());
        ScorerChannels plaintext = endpoint -> channels.computeIfAbsent(endpoint,
                e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
        FakePolicy policy = new FakePolicy(List.of(
                FakePolicy.platform("alpha-credit", "127.0.0.1:1"),
                FakePolicy.platform("beta-score", "127.0.0.1:1")));
        ScorerEndpoints endpoints = new ScorerEndpoints(Map.of("alpha-credit", alpha.endpoint(), "beta-score", beta.endpoint()));
        queries = new ScoreQueries(() -> policy, new QueryValidator(() -> "generated"), new ScoreFanOut(plaintext, Duration.ofSeconds(30)),
                endpoints, new MinimalRatingPresenter(), Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        alpha.close();
        beta.close();
    }

    private static ScoreQuery.Builder query() {
        return ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                .setPurpose("court-enforcement");
    }

    private Outcome<ScoreReport> run(cxg.gateway.policy.Member caller, ScoreQuery.Builder q) throws Exception {
        return queries.query(caller, q.build()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void allowedQueryReportsEveryPlatformWithTheDecision() throws Exception {
        ScoreReport report = run(FakePolicy.COURT, query().setRequestId("req-7")).value();

        assertEquals("req-7", report.getRequestId());
        assertEquals(2, report.getResultsCount());
        assertEquals("alpha-credit", report.getResults(0).getPlatform());
        assertEquals(PlatformStatus.OK, report.getResults(0).getStatus());
        assertEquals("good", report.getResults(0).getScore().getTier());
        assertEquals(712, report.getResults(0).getScore().getOriginalValue());
        assertEquals(PlatformStatus.NO_RATING, report.getResults(1).getStatus());
        assertTrue(report.getDecision().getAllowed());
        assertEquals("agreements.yaml#court-enforcement", report.getDecision().getRule());
        assertEquals(Disclosure.SCORE, report.getDecision().getDisclosure());
        assertEquals(List.of("FINANCIAL", "JUDICIAL"), report.getDecision().getGrantedCategoriesList());
        assertEquals(Instant.parse("2026-11-25T12:00:00Z").getEpochSecond(), report.getAnsweredAt().getSeconds());
    }

    @Test
    void scorersAreAskedOnlyForTheGrantedCategoriesWithTheRequestId() throws Exception {
        run(FakePolicy.COURT, query().addCategories("JUDICIAL"));

        assertEquals(List.of("JUDICIAL"), alpha.received.get(0).getCategoriesList());
        assertEquals("generated", alpha.received.get(0).getRequestId());
        assertEquals("11010519491231002X", alpha.received.get(0).getSubject().getValue());
    }

    @Test
    void unfilteredFactorsNeverLeaveThroughTheMinimalPresenter() throws Exception {
        ScoreReport report = run(FakePolicy.COURT, query()).value();

        assertEquals(0, report.getResults(0).getScore().getFactorsCount());
        assertTrue(report.getWithheldList().stream().anyMatch(w -> w.getField().equals("factors")));
    }

    @Test
    void tierOnlyDisclosureCarriesNoValue() throws Exception {
        ScoreReport report = run(FakePolicy.COURT, query().setDisclosure(Disclosure.TIER_ONLY)).value();

        assertEquals("good", report.getResults(0).getScore().getTier());
        assertFalse(report.getResults(0).getScore().hasOriginalValue());
    }

    @Test
    void policyDenialNamesTheRuleAndAsksNoPlatform() throws Exception {
        Failure failure = run(FakePolicy.RAILWAY, query()).failure();

        assertEquals(Failure.Reason.PERMISSION_DENIED, failure.reason());
        assertEquals("default-deny", failure.rule());
        assertTrue(alpha.received.isEmpty());
        assertTrue(beta.received.isEmpty());
    }

    @Test
    void invalidSubjectIsRefusedBeforePolicyOrPlatforms() throws Exception {
        Failure failure = run(FakePolicy.COURT, query().setSubject(SubjectId.newBuilder()
                .setKind(SubjectKind.RESIDENT_ID).setValue("110105194912310021"))).failure();

        assertEquals("subject.value", failure.field());
        assertTrue(alpha.received.isEmpty());
    }
}
