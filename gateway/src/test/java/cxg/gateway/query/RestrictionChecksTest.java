package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.store.IncomingItem;
import cxg.gateway.store.SubmissionStore;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.LiftRecord;
import cxg.v1.RecordKind;
import cxg.v1.RecordSubmission;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.RestrictionMeasure;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionItem;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restriction check: yes/no with the measure and its dates, from stored records in force. */
class RestrictionChecksTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final String RESIDENT = "11010519491231002X";

    @TempDir
    Path dir;

    private PolicySet policy;
    private SubmissionStore store;
    private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    private RestrictionChecks checks;

    @BeforeEach
    void setUp() {
        policy = TestPolicies.load(TestPolicies.copyTo(dir.resolve("policies")));
        store = SubmissionStore.open(SubmissionStore.h2Url(dir.resolve("data")), "sa", "", false);
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        checks = new RestrictionChecks(() -> policy, new QueryValidator(() -> "r"),
                (subject, at) -> store.records(subject, at).stream().map(r -> r.record()).toList(), clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void answersYesWithOnlyTheMeasureAndItsDates() {
        write(record("r1", RecordKind.RESTRICTION, "JUDICIAL", "air-travel-restriction", NOW.plus(Duration.ofDays(300))));

        RestrictionAnswer answer = check("railway").value();

        assertTrue(answer.getRestricted());
        assertEquals(1, answer.getMeasuresCount());
        RestrictionMeasure m = answer.getMeasures(0);
        assertEquals("air-travel-restriction", m.getMeasure());
        assertEquals(ts(NOW.minus(Duration.ofDays(30))), m.getDecisionDate());
        assertEquals(ts(NOW.plus(Duration.ofDays(300))), m.getExpiresAt());
        assertFalse(answer.toString().contains("Zhi"), "the case number never leaves the gateway");
        assertFalse(answer.toString().contains("court"), "nor the issuing agency");
        assertEquals("agreements.yaml#railway-travel-restriction", answer.getDecision().getRule());
    }

    @Test
    void aLiftedRestrictionAnswersNoAtOnce() {
        write(record("r1", RecordKind.RESTRICTION, "JUDICIAL", "rail-travel-restriction", null));
        assertTrue(check("railway").value().getRestricted());

        write(SubmissionItem.newBuilder().setItemId("lift-r1").setLift(LiftRecord.newBuilder().setRecordItemId("r1")
                .setLiftedAt(ts(NOW)).setReason("debt repaid")).build());

        RestrictionAnswer answer = check("railway").value();
        assertFalse(answer.getRestricted());
        assertEquals(0, answer.getMeasuresCount());
    }

    @Test
    void anExpiredRestrictionAnswersNo() {
        write(record("r1", RecordKind.RESTRICTION, "JUDICIAL", "air-travel-restriction", NOW.plus(Duration.ofHours(1))));
        assertTrue(check("railway").value().getRestricted());

        now.set(NOW.plus(Duration.ofHours(2)));

        assertFalse(check("railway").value().getRestricted());
    }

    @Test
    void warningsAndRestrictionsOutsideTheGrantedCategoriesAreNotRestrictions() {
        write(record("w1", RecordKind.WARNING, "JUDICIAL", "unpaid-judgment", null));
        write(record("t1", RecordKind.RESTRICTION, "TAX", "exit-restriction", null));

        assertFalse(check("railway").value().getRestricted(), "railway's agreement grants JUDICIAL, FINANCIAL, TRAFFIC");
    }

    @Test
    void aMemberWithoutAnAgreementForThePurposeIsDeniedNamingTheRule() {
        write(record("r1", RecordKind.RESTRICTION, "JUDICIAL", "air-travel-restriction", null));

        Outcome<RestrictionAnswer> denied = check("court");

        assertFalse(denied.isOk());
        assertEquals(Failure.Reason.PERMISSION_DENIED, denied.failure().reason());
    }

    @Test
    void aBadCheckCharacterIsRejectedNamingTheField() {
        Outcome<RestrictionAnswer> invalid = checks.check(policy.member("railway").orElseThrow(), RestrictionCheck.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("110105194912310021"))
                .setPurpose("travel-restriction-check").build());

        assertFalse(invalid.isOk());
        Failure f = invalid.failure();
        assertEquals(Failure.Reason.INVALID_ARGUMENT, f.reason());
        assertEquals("subject.value", f.field());
    }

    private Outcome<RestrictionAnswer> check(String member) {
        return checks.check(policy.member(member).orElseThrow(), RestrictionCheck.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(RESIDENT))
                .setPurpose("travel-restriction-check").build());
    }

    private static SubmissionItem record(String id, RecordKind kind, String category, String measure, Instant expires) {
        RecordSubmission.Builder r = RecordSubmission.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(RESIDENT))
                .setKind(kind).setCategory(category).setCaseNumber("(2026) Hu 01 Zhi 42")
                .setDecisionDate(ts(NOW.minus(Duration.ofDays(30)))).setMeasure(measure).setIssuingAgency("court");
        if (expires != null) {
            r.setExpiresAt(ts(expires));
        }
        return SubmissionItem.newBuilder().setItemId(id).setRecord(r).build();
    }

    private void write(SubmissionItem item) {
        try {
            byte[] payload = item.toByteArray();
            store.write("alpha-credit", List.of(new IncomingItem(item, payload,
                    MessageDigest.getInstance("SHA-256").digest(payload), new byte[64], -1)), null, NOW);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).build();
    }
}
