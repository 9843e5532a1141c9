package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.SubjectHasher;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.Admission;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.gateway.transport.StatusMapping;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.Context;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restriction checks are audited like score queries: recorded before the answer leaves, fail closed. */
class AuditedRestrictionChecksTest {

    private static final String SUBJECT = "11010519491231002X";

    @TempDir
    Path dir;

    private PolicySet policy;
    private AuditedQueriesTest.RefusingStore store;
    private AuditLog log;
    private AuditedRestrictionChecks checks;

    @BeforeEach
    void setUp() {
        policy = TestPolicies.load(TestPolicies.copyTo(dir.resolve("policies")));
        RestrictionChecks plain = new RestrictionChecks(() -> policy, new QueryValidator(), (subject, at) -> List.of(),
                Clock.systemUTC());
        store = new AuditedQueriesTest.RefusingStore(DirectoryLogStore.open(dir.resolve("audit")));
        log = AuditLog.open(store, NoteSigner.generate("test/audit"), new AuditLog.Options("test/audit", 64, Duration.ZERO, 64));
        checks = new AuditedRestrictionChecks(plain, new AuditRecorder(log, new SubjectHasher(new byte[32]), Clock.systemUTC()),
                Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        log.close();
    }

    private Outcome<RestrictionAnswer> run(String member, String purpose) {
        return checks.check(policy.member(member).orElseThrow(), RestrictionCheck.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(SUBJECT))
                .setPurpose(purpose).build());
    }

    @Test
    void answeredCheckIsRecordedAsARestrictionCheckWithoutTheRawSubject() {
        RestrictionAnswer answer = run("railway", "travel-restriction-check").value();

        assertEquals(1, log.size());
        AuditEntry e = AuditEntry.fromBytes(log.entry(0));
        assertEquals("railway", e.member());
        assertEquals("CheckRestriction", e.method());
        assertEquals("travel-restriction-check", e.purpose());
        assertEquals(Boolean.TRUE, e.allowed());
        assertEquals(answer.getDecision().getRule(), e.rule());
        assertEquals(AuditedRestrictionChecks.DISCLOSURE, e.disclosure());
        assertEquals(answer.getRequestId(), e.requestId());
        assertEquals("OK", e.outcome());
        assertFalse(new String(log.entry(0), StandardCharsets.UTF_8).contains(SUBJECT));
    }

    @Test
    void deniedCheckIsRecordedWithTheRuleThatDeniedIt() {
        Failure denied = run("court", "travel-restriction-check").failure();

        assertEquals(Failure.Reason.PERMISSION_DENIED, denied.reason());
        AuditEntry e = AuditEntry.fromBytes(log.entry(0));
        assertEquals(Boolean.FALSE, e.allowed());
        assertEquals(denied.rule(), e.rule());
        assertEquals("PERMISSION_DENIED", e.outcome());
    }

    @Test
    void checkBeyondTheLimitOfQueriesInFlightIsRefusedUnavailableAndRecordedWithoutReadingTheStore() {
        Admission full = new Admission(1);
        AtomicInteger reads = new AtomicInteger();
        RestrictionChecks counting = new RestrictionChecks(() -> policy, new QueryValidator(), (subject, at) -> {
            reads.incrementAndGet();
            return List.of();
        }, Clock.systemUTC());
        AuditedRestrictionChecks limited = new AuditedRestrictionChecks(counting,
                new AuditRecorder(log, new SubjectHasher(new byte[32]), Clock.systemUTC()), Duration.ofSeconds(10), full);
        Admission.Permit taken = full.admit(Context.ROOT).value();

        Failure refused = limited.check(policy.member("railway").orElseThrow(), railwayCheck(), Context.ROOT).failure();

        assertEquals(Failure.Reason.OVERLOADED, refused.reason());
        assertEquals(Status.Code.UNAVAILABLE, StatusMapping.toStatus(refused).getCode());
        assertEquals(0, reads.get());
        assertEquals("OVERLOADED", AuditEntry.fromBytes(log.entry(0)).outcome());
        taken.close();
        assertTrue(limited.check(policy.member("railway").orElseThrow(), railwayCheck(), Context.ROOT).isOk());
        assertEquals(1, reads.get());
        assertEquals(0, full.inFlight(), "the answered check gave its place back");
    }

    @Test
    void checkWhoseCallerWentWhileItQueuedDoesNotReadTheStoreAndIsRecordedAsCancelled() {
        Context.CancellableContext call = Context.current().withCancellation();
        call.cancel(null);

        Failure gone = checks.check(policy.member("railway").orElseThrow(), railwayCheck(), call).failure();

        assertEquals(Failure.Reason.CANCELLED, gone.reason());
        AuditEntry e = AuditEntry.fromBytes(log.entry(0));
        assertEquals("CANCELLED", e.outcome());
        assertEquals(null, e.allowed(), "policy was not asked");
    }

    private static RestrictionCheck railwayCheck() {
        return RestrictionCheck.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(SUBJECT))
                .setPurpose("travel-restriction-check").build();
    }

    @Test
    void refusedAuditWriteFailsTheCheckUnavailableAndReleasesNoAnswer() {
        store.refuse = true;

        Outcome<RestrictionAnswer> outcome = run("railway", "travel-restriction-check");

        assertEquals(Failure.Reason.UNAVAILABLE, outcome.failure().reason());
        assertEquals(0, log.size());
        store.refuse = false;
        assertTrue(run("railway", "travel-restriction-check").isOk());
    }
}
