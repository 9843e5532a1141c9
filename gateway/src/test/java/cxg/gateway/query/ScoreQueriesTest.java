package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.fanout.FakeScorer;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerChannels;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicyLoader;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.QuotaLimiter;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.Disclosure;
import cxg.v1.Factor;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.PolicyDecision;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScoreScale;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query path in-process against the demo policy set and fake scorers on loopback. */
class ScoreQueriesTest {

    @TempDir
    static Path dir;
    static PolicySet policy;

    private FakeScorer alpha;
    private FakeScorer beta;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private ScoreQueries queries;

    @BeforeAll
    static void policies() {
        policy = TestPolicies.load(TestPolicies.copyTo(dir));
    }

    @BeforeEach
    void setUp() throws Exception {
        alpha = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
                .setRating(PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712).setScaleId("alpha-credit")
                        .setTier("excellent")
                        .addFactors(Factor.newBuilder().setCategory("FINANCIAL").setCode("on-time-repayment"))
                        .addFactors(Factor.newBuilder().setCategory("MEDICAL").setCode("diagnosis")))
                .build());
        beta = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build());
        ScorerChannels plaintext = target -> channels.computeIfAbsent(target.endpoint(),
                e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
        ScorerEndpoints endpoints = new ScorerEndpoints(Map.of("alpha-credit", alpha.endpoint(), "beta-score", beta.endpoint()));
        queries = new ScoreQueries(() -> policy, new QueryValidator(() -> "generated"), new ScoreFanOut(plaintext, Duration.ofSeconds(30)),
                endpoints, new PolicyRatingPresenter(), Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        alpha.close();
        beta.close();
    }

    private static ScoreQuery.Builder query(String purpose) {
        return ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                .setPurpose(purpose);
    }

    private static Member member(String id) {
        return policy.member(id).orElseThrow();
    }

    private Outcome<ScoreReport> run(String caller, ScoreQuery.Builder q) throws Exception {
        return queries.query(member(caller), q.build()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void allowedQueryReportsEveryPlatformWithTheDecision() throws Exception {
        ScoreReport report = run("court", query("court-enforcement").setRequestId("req-7")).value();

        assertEquals("req-7", report.getRequestId());
        assertEquals(List.of("alpha-credit", "beta-score"), report.getResultsList().stream().map(r -> r.getPlatform()).toList());
        assertEquals(PlatformStatus.OK, report.getResults(0).getStatus());
        assertFalse(report.getResults(0).getScore().getTier().isEmpty());
        assertEquals(712, report.getResults(0).getScore().getOriginalValue());
        assertTrue(report.getResults(0).getScore().hasNormalizedValue());
        assertEquals(PlatformStatus.NO_RATING, report.getResults(1).getStatus());
        assertTrue(report.getDecision().getAllowed());
        assertEquals(Disclosure.FULL, report.getDecision().getDisclosure());
        assertFalse(report.getDecision().getRule().isEmpty());
        assertEquals(Instant.parse("2026-11-25T12:00:00Z").getEpochSecond(), report.getAnsweredAt().getSeconds());
    }

    @Test
    void scorersAreAskedOnlyForTheGrantedCategoriesWithTheRequestId() throws Exception {
        run("court", query("court-enforcement").addCategories("JUDICIAL"));

        assertEquals(List.of("JUDICIAL"), alpha.received.get(0).getCategoriesList());
        assertEquals("generated", alpha.received.get(0).getRequestId());
        assertEquals("11010519491231002X", alpha.received.get(0).getSubject().getValue());
    }

    @Test
    void everyScorerRequestOfADecisionIsByteForByteTheRequestBuiltFieldByField() throws Exception {
        run("court", query("court-enforcement").setRequestId("req-1"));
        run("court", query("court-enforcement").setRequestId("req-2"));
        run("court", query("court-enforcement").setRequestId("req-3").addCategories("JUDICIAL"));

        List<List<String>> categories = List.of(List.of("ADMINISTRATIVE", "COMMERCIAL", "FINANCIAL", "JUDICIAL", "TAX"),
                List.of("ADMINISTRATIVE", "COMMERCIAL", "FINANCIAL", "JUDICIAL", "TAX"), List.of("JUDICIAL"));
        for (int i = 0; i < 3; i++) {
            ScorerRequest.Builder expected = ScorerRequest.newBuilder()
                    .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                    .setPurpose("court-enforcement").setRequestId("req-" + (i + 1));
            categories.get(i).forEach(expected::addCategories);
            assertEquals(expected.build().toByteString(), alpha.received.get(i).toByteString(), "request " + (i + 1));
            assertEquals(expected.build(), alpha.received.get(i));
        }
    }

    /** The report's bytes without what differs between two queries: when it was answered, how long platforms took. */
    private static com.google.protobuf.ByteString withoutTimes(ScoreReport report) {
        ScoreReport.Builder b = report.toBuilder().clearAnsweredAt();
        for (int i = 0; i < b.getResultsCount(); i++) {
            b.getResultsBuilder(i).setLatencyMillis(0);
        }
        return b.build().toByteString();
    }

    @Test
    void everyReportOfADecisionCarriesTheDecisionAndScaleByteForByteAsBuiltFromTheirStrings() throws Exception {
        ScoreReport first = run("court", query("court-enforcement")).value();
        // the audit path reads the decision's strings in between; the next report must be written the same
        first.getDecision().getRule();
        first.getDecision().getGrantedCategoriesList().forEach(String::length);
        ScoreReport second = run("court", query("court-enforcement")).value();

        PolicyDecision d = second.getDecision();
        PolicyDecision fromStrings = PolicyDecision.newBuilder().setAllowed(true).setRule("agreements.yaml#court-enforcement")
                .setReason(d.getReason()).setDisclosure(Disclosure.FULL)
                .addAllGrantedCategories(List.of("ADMINISTRATIVE", "COMMERCIAL", "FINANCIAL", "JUDICIAL", "TAX")).build();
        assertEquals(fromStrings.toByteString(), first.getDecision().toByteString());
        assertEquals(fromStrings.toByteString(), second.getDecision().toByteString());
        ScoreScale scale = second.getResults(0).getScore().getScale();
        ScoreScale scaleFromStrings = ScoreScale.newBuilder().setId("alpha-credit").setMin(350).setMax(950)
                .addAllTiers(List.of("excellent", "very-good", "good", "fair", "poor")).build();
        assertEquals(scaleFromStrings.toByteString(), scale.toByteString());
        assertEquals(withoutTimes(first), withoutTimes(second));
        assertEquals(List.of("ADMINISTRATIVE", "COMMERCIAL", "FINANCIAL", "JUDICIAL", "TAX"), alpha.received.get(1).getCategoriesList());
    }

    @Test
    void answersPassThroughThePolicyFilterBeforeTheyLeave() throws Exception {
        ScoreReport report = run("court", query("court-enforcement")).value();

        List<String> categories = report.getResults(0).getScore().getFactorsList().stream().map(Factor::getCategory).toList();
        assertEquals(List.of("FINANCIAL"), categories);
        assertTrue(report.getWithheldList().stream().anyMatch(w -> w.getCategory().equals("MEDICAL")));
    }

    @Test
    void tierOnlyAgreementCarriesNoValue() throws Exception {
        ScoreReport report = run("railway", query("travel-restriction-check")).value();

        assertFalse(report.getResults(0).getScore().getTier().isEmpty());
        assertFalse(report.getResults(0).getScore().hasOriginalValue());
        assertFalse(report.getResults(0).getScore().hasNormalizedValue());
    }

    @Test
    void policyDenialNamesTheRuleAndAsksNoPlatform() throws Exception {
        Failure failure = run("railway", query("court-enforcement")).failure();

        assertEquals(Failure.Reason.PERMISSION_DENIED, failure.reason());
        assertFalse(failure.rule().isEmpty());
        assertTrue(alpha.received.isEmpty());
        assertTrue(beta.received.isEmpty());
    }

    @Test
    void usedUpQuotaIsResourceExhaustedNamingTheAgreementNotADenial(@TempDir Path other) throws Exception {
        Path dir = TestPolicies.copyTo(other);
        Path agreements = dir.resolve("agreements.yaml");
        Files.writeString(agreements, Files.readString(agreements).replace("quotaPerMinute: 120", "quotaPerMinute: 1"));
        PolicySet oneQueryAMinute = new PolicyLoader(Clock.systemUTC(), QuotaLimiter.create()).load(dir).policySet().orElseThrow();
        ScoreQueries limited = new ScoreQueries(() -> oneQueryAMinute, new QueryValidator(() -> "generated"),
                new ScoreFanOut(target -> channels.computeIfAbsent(target.endpoint(),
                        e -> NettyChannelBuilder.forTarget(e).usePlaintext().build()), Duration.ofSeconds(30)),
                new ScorerEndpoints(Map.of("alpha-credit", alpha.endpoint(), "beta-score", beta.endpoint())),
                new PolicyRatingPresenter(), Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC));
        Member court = oneQueryAMinute.member("court").orElseThrow();

        assertTrue(limited.query(court, query("loan-eligibility").build()).toCompletableFuture().get(60, TimeUnit.SECONDS).isOk());
        Failure second = limited.query(court, query("loan-eligibility").build()).toCompletableFuture().get(60, TimeUnit.SECONDS).failure();

        assertEquals(Failure.Reason.RESOURCE_EXHAUSTED, second.reason());
        assertTrue(second.rule().contains("court-loan-eligibility"), second.rule());
        assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, StatusMapping.toStatus(second).getCode());
    }

    @Test
    void invalidSubjectIsRefusedBeforePolicyOrPlatforms() throws Exception {
        Failure failure = run("court", query("court-enforcement").setSubject(SubjectId.newBuilder()
                .setKind(SubjectKind.RESIDENT_ID).setValue("110105194912310021"))).failure();

        assertEquals("subject.value", failure.field());
        assertTrue(alpha.received.isEmpty());
    }
}
