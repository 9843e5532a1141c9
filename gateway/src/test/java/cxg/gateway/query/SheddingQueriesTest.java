package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.SubjectHasher;
import cxg.gateway.fanout.FakeScorer;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerChannels;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.testing.Await;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.Admission;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.PlatformStatus;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.ScorerResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload, in-process: a query whose caller has gone, or beyond the limit of queries in flight, is not worked
 * on, and its refusal is still recorded in the audit log before anything is answered.
 */
class SheddingQueriesTest {

    private static final ScoreQuery COURT_QUERY = ScoreQuery.newBuilder()
            .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
            .setPurpose("court-enforcement").build();

    @TempDir
    Path dir;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private PolicySet policy;
    private FakeScorer alpha;
    private FakeScorer beta;
    private AuditLog log;
    private Admission admission;
    private AuditedQueries queries;

    @BeforeEach
    void setUp() throws Exception {
        policy = TestPolicies.load(TestPolicies.copyTo(dir.resolve("policies")));
        alpha = FakeScorer.answering(r -> AuditedQueriesTest.ALPHA_ANSWER);
        beta = FakeScorer.hanging();
        ScorerChannels plaintext = target -> channels.computeIfAbsent(target.endpoint(),
                e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
        ScorerEndpoints endpoints = new ScorerEndpoints(Map.of("alpha-credit", alpha.endpoint(), "beta-score", beta.endpoint()));
        // beta never answers: only a caller that goes (or this long timeout) ends a fan-out
        ScoreQueries plain = new ScoreQueries(() -> policy, new QueryValidator(), new ScoreFanOut(plaintext, Duration.ofMinutes(10)),
                endpoints, new PolicyRatingPresenter(), Clock.systemUTC());
        log = AuditLog.open(DirectoryLogStore.open(dir.resolve("audit")), NoteSigner.generate("test/audit"),
                new AuditLog.Options("test/audit", 64, Duration.ZERO, 64));
        admission = new Admission(1);
        queries = new AuditedQueries(plain, new AuditRecorder(log, new SubjectHasher(new byte[32]), Clock.systemUTC()), admission);
    }

    @AfterEach
    void tearDown() {
        log.close();
        channels.values().forEach(ManagedChannel::shutdownNow);
        alpha.close();
        beta.close();
        timer.shutdownNow();
    }

    private Outcome<ScoreReport> run(CompletionStage<Outcome<ScoreReport>> query) throws Exception {
        return query.toCompletableFuture().get(2, TimeUnit.MINUTES);
    }

    private AuditEntry onlyEntry() {
        assertEquals(1, log.size());
        return AuditEntry.fromBytes(log.entry(0));
    }

    @Test
    void cancelledCallIsNotFannedOutAndItsRefusalIsRecordedAsCancelled() throws Exception {
        Context.CancellableContext call = Context.current().withCancellation();
        call.cancel(null);

        Outcome<ScoreReport> outcome = run(queries.query(policy.member("court").orElseThrow(), COURT_QUERY, call));

        assertEquals(Failure.Reason.CANCELLED, outcome.failure().reason());
        assertTrue(alpha.received.isEmpty() && beta.received.isEmpty(), "no platform is asked for a caller that has gone");
        AuditEntry e = onlyEntry();
        assertEquals("CANCELLED", e.outcome());
        assertEquals("court", e.member());
        assertEquals("court-enforcement", e.purpose());
        assertNull(e.allowed(), "policy was not asked");
        assertEquals(List.of(), e.categoriesServed());
        assertEquals(0, admission.inFlight());
    }

    @Test
    void callWhoseDeadlinePassedWhileItQueuedIsNotFannedOutAndIsRecordedAsDeadlineExceeded() throws Exception {
        Context.CancellableContext call = Context.current().withDeadline(Deadline.after(-1, TimeUnit.MILLISECONDS), timer);

        Outcome<ScoreReport> outcome = run(queries.query(policy.member("court").orElseThrow(), COURT_QUERY, call));

        assertEquals(Failure.Reason.DEADLINE_EXCEEDED, outcome.failure().reason());
        assertEquals(Status.Code.DEADLINE_EXCEEDED, StatusMapping.toStatus(outcome.failure()).getCode());
        assertTrue(alpha.received.isEmpty() && beta.received.isEmpty(), "no platform is asked for a caller that has gone");
        assertEquals("DEADLINE_EXCEEDED", onlyEntry().outcome());
    }

    @Test
    void beyondTheLimitACallIsRefusedAsOverloadedAndItsRefusalIsAudited() throws Exception {
        Outcome<Admission.Permit> held = admission.admit(Context.ROOT);
        assertTrue(held.isOk());

        Outcome<ScoreReport> outcome = run(queries.query(policy.member("court").orElseThrow(), COURT_QUERY));

        assertEquals(Failure.Reason.OVERLOADED, outcome.failure().reason());
        Status status = StatusMapping.toStatus(outcome.failure());
        assertEquals(Status.Code.UNAVAILABLE, status.getCode());
        assertEquals("gateway overloaded: the gateway is at its limit of 1 queries in flight (cxg.gateway.max-queries-in-flight); "
                + "retry shortly", status.getDescription());
        assertTrue(alpha.received.isEmpty() && beta.received.isEmpty(), "a shed call costs the platforms nothing");
        AuditEntry e = onlyEntry();
        assertEquals("OVERLOADED", e.outcome());
        assertEquals("1101**********002X", e.subject().masked());

        held.value().close();
        assertEquals(0, admission.inFlight());
        Context.CancellableContext call = Context.current().withCancellation();
        call.run(() -> queries.query(policy.member("court").orElseThrow(), COURT_QUERY, call));
        Await.until("a call within the limit is fanned out", Duration.ofMinutes(1), Duration.ofMillis(10), () -> beta.received.size() == 1);
        call.cancel(null);
    }

    @Test
    void callerWhoGoesDuringTheFanOutGetsAnEntryWithTheDecisionAndNothingServed() throws Exception {
        Context.CancellableContext call = Context.current().withCancellation();
        CompletionStage<Outcome<ScoreReport>> query = call.call(() -> queries.query(policy.member("court").orElseThrow(), COURT_QUERY, call));
        Await.until("the platforms are asked", Duration.ofMinutes(1), Duration.ofMillis(10), () -> beta.received.size() == 1);
        assertEquals(1, admission.inFlight());
        assertEquals(0, log.size(), "nothing is recorded before the answer is ready");

        call.cancel(null);

        assertFalse(run(query).isOk());
        AuditEntry e = onlyEntry();
        assertEquals("CANCELLED", e.outcome());
        assertEquals(Boolean.TRUE, e.allowed(), "the policy decision was made and is kept");
        assertEquals("FULL", e.disclosure());
        assertEquals(List.of(), e.categoriesServed(), "the report never left: nothing was served");
        assertEquals(0, admission.inFlight(), "the caller's place is free again");
    }
}
