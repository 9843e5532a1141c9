package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.AuditStoreException;
import cxg.gateway.audit.Bundle;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.ForwardingLogStore;
import cxg.gateway.audit.LogStore;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.SubjectHasher;
import cxg.gateway.audit.Tile;
import cxg.gateway.fanout.FakeScorer;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerChannels;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScorerResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query path with its audit log, in-process: nothing is answered that is not durably recorded first. */
class AuditedQueriesTest {

    private static final String SUBJECT = "11010519491231002X";

    @TempDir
    Path dir;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private PolicySet policy;
    private FakeScorer alpha;
    private FakeScorer beta;
    private RefusingStore store;
    private AuditLog log;
    private AuditedQueries queries;

    /** A real directory store that can be told to refuse every write, as a full or failed disk would. */
    static final class RefusingStore extends ForwardingLogStore {
        volatile boolean refuse;

        RefusingStore(LogStore delegate) {
            super(delegate);
        }

        @Override
        public void commit(long firstIndex, List<byte[]> entries, List<Tile> fullTiles, List<Bundle> fullBundles) {
            if (refuse && !entries.isEmpty()) {
                throw new AuditStoreException("disk refused the write");
            }
            delegate.commit(firstIndex, entries, fullTiles, fullBundles);
        }
    }

    /** alpha-credit's answer: a rating with one FINANCIAL factor. */
    static final ScorerResponse ALPHA_ANSWER = ScorerResponse.newBuilder().setStatus(PlatformStatus.OK)
            .setRating(PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712).setScaleId("alpha-credit")
                    .setTier("excellent").addFactors(cxg.v1.Factor.newBuilder().setCategory("FINANCIAL")
                            .setCode("on-time-repayment").setDirection(cxg.v1.FactorDirection.POSITIVE))).build();

    @BeforeEach
    void setUp() throws Exception {
        policy = TestPolicies.load(TestPolicies.copyTo(dir.resolve("policies")));
        alpha = FakeScorer.answering(r -> ALPHA_ANSWER);
        beta = FakeScorer.answering(r -> ScorerResponse.newBuilder().setStatus(PlatformStatus.NO_RATING).build());
        ScorerChannels plaintext = target -> channels.computeIfAbsent(target.endpoint(),
                e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
        ScorerEndpoints endpoints = new ScorerEndpoints(Map.of("alpha-credit", alpha.endpoint(), "beta-score", beta.endpoint()));
        ScoreQueries plain = new ScoreQueries(() -> policy, new QueryValidator(), new ScoreFanOut(plaintext, Duration.ofSeconds(30)),
                endpoints, new PolicyRatingPresenter(), Clock.systemUTC());
        store = new RefusingStore(DirectoryLogStore.open(dir.resolve("audit")));
        log = AuditLog.open(store, NoteSigner.generate("test/audit"), new AuditLog.Options("test/audit", 64, Duration.ZERO, 64));
        queries = new AuditedQueries(plain, new AuditRecorder(log, new SubjectHasher(new byte[32]), Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        log.close();
        channels.values().forEach(ManagedChannel::shutdownNow);
        alpha.close();
        beta.close();
    }

    private Outcome<ScoreReport> run(String member, String purpose, String subject) throws Exception {
        ScoreQuery q = ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(subject))
                .setPurpose(purpose).build();
        return queries.query(policy.member(member).orElseThrow(), q).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private AuditEntry entry(long index) {
        return AuditEntry.fromBytes(log.entry(index));
    }

    @Test
    void refusedAuditWriteFailsTheQueryUnavailableAndReleasesNoReport() throws Exception {
        store.refuse = true;

        Outcome<ScoreReport> outcome = run("court", "court-enforcement", SUBJECT);

        assertFalse(outcome.isOk());
        assertEquals(Failure.Reason.UNAVAILABLE, outcome.failure().reason());
        assertEquals(AuditedQueries.NOT_RECORDED, outcome.failure().message());
        assertEquals(0, log.size());

        store.refuse = false;
        assertTrue(run("court", "court-enforcement", SUBJECT).isOk());
        assertEquals(1, log.size());
    }

    @Test
    void allowedQueryIsRecordedWithDecisionAndRequestIdAndNoCategoryServedAtTierOnly() throws Exception {
        ScoreReport report = run("railway", "travel-restriction-check", SUBJECT).value();

        AuditEntry e = entry(0);
        assertEquals("railway", e.member());
        assertEquals("agency", e.role());
        assertEquals("cxg.v1.QueryService", e.service());
        assertEquals("QueryScore", e.method());
        assertEquals("travel-restriction-check", e.purpose());
        assertEquals(Boolean.TRUE, e.allowed());
        assertEquals(report.getDecision().getRule(), e.rule());
        assertEquals("TIER_ONLY", e.disclosure());
        assertFalse(report.getDecision().getGrantedCategoriesList().isEmpty());
        assertEquals(List.of(), e.categoriesServed(), "a tier carries no category's data, whatever was granted");
        assertEquals(report.getWithheldCount(), e.withheld().size());
        assertFalse(e.withheld().isEmpty(), "TIER_ONLY withholds the values, and the entry says so");
        assertEquals(report.getRequestId(), e.requestId());
        assertEquals("OK", e.outcome());
        assertEquals("1101**********002X", e.subject().masked());
    }

    @Test
    void fullDisclosureRecordsAsServedOnlyTheCategoriesOfTheFactorsThatLeft() throws Exception {
        ScoreReport report = run("court", "court-enforcement", SUBJECT).value();

        List<String> factorCategories = report.getResultsList().stream()
                .flatMap(r -> r.getScore().getFactorsList().stream()).map(cxg.v1.Factor::getCategory).distinct().sorted().toList();
        assertEquals(List.of("FINANCIAL"), factorCategories);
        assertTrue(report.getDecision().getGrantedCategoriesList().size() > 1, "court is granted more than it was served");
        AuditEntry e = entry(0);
        assertEquals("FULL", e.disclosure());
        assertEquals(factorCategories, e.categoriesServed());
    }

    @Test
    void deniedAndInvalidQueriesAreRecordedToo() throws Exception {
        Outcome<ScoreReport> denied = run("railway", "court-enforcement", SUBJECT);
        Outcome<ScoreReport> invalid = run("court", "court-enforcement", "110105194912310021");

        assertEquals(Failure.Reason.PERMISSION_DENIED, denied.failure().reason());
        assertEquals(Failure.Reason.INVALID_ARGUMENT, invalid.failure().reason());
        assertEquals(2, log.size());
        assertEquals(Boolean.FALSE, entry(0).allowed());
        assertEquals(denied.failure().rule(), entry(0).rule());
        assertEquals("PERMISSION_DENIED", entry(0).outcome());
        assertEquals("INVALID_ARGUMENT", entry(1).outcome());
        assertEquals(null, entry(1).allowed());
    }

    @Test
    void recordedEntryNeverContainsTheRawSubjectIdentifier() throws Exception {
        run("court", "court-enforcement", SUBJECT);
        run("court", "court-enforcement", "110105194912310021");

        for (long i = 0; i < log.size(); i++) {
            String bytes = new String(log.entry(i), StandardCharsets.UTF_8);
            assertFalse(bytes.contains("11010519491231002"), bytes);
            assertTrue(bytes.contains("\"hmac\":\""), bytes);
        }
    }
}
