package cxg.gateway.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import cxg.gateway.subject.SubjectId;
import cxg.v1.LiftRecord;
import cxg.v1.RatingSubmission;
import cxg.v1.RecordKind;
import cxg.v1.RecordSubmission;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionItem;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.Retention;
import cxg.gateway.testing.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour every store must show, run on H2 and on PostgreSQL by the subclasses. */
abstract class StoreContractTest {

    static final String ALPHA = "alpha-credit";
    static final String RESIDENT = "11010519491231002X";
    static final SubjectId SUBJECT = SubjectId.of(SubjectId.Kind.RESIDENT_ID, RESIDENT);
    static final Instant NOW = Instant.parse("2026-11-20T00:00:00Z");

    SubmissionStore store;

    /** A fresh, empty store. */
    abstract SubmissionStore openFresh() throws Exception;

    /** The same database as the last {@link #openFresh()}, opened again. */
    abstract SubmissionStore reopen() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openFresh();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void acceptedRatingIsServedWithItsSignatureAfterReopening() throws Exception {
        IncomingItem item = signed(rating("r-1", 712, NOW.plus(Duration.ofDays(90))), new byte[] {1, 2, 3});
        assertEquals(List.of(WriteOutcome.ACCEPTED), store.write(ALPHA, List.of(item), null, NOW));
        store.close();
        store = reopen();

        List<StoredRating> ratings = store.ratings(SUBJECT, NOW);
        assertEquals(1, ratings.size());
        StoredRating r = ratings.get(0);
        assertEquals(ALPHA, r.platform());
        assertEquals("r-1", r.itemId());
        assertEquals(712, r.rating().getValue());
        assertEquals(NOW, r.receivedAt());
        assertArrayEquals(new byte[] {1, 2, 3}, r.proof().itemSignature());
        assertTrue(store.ratings(SubjectId.of(SubjectId.Kind.RESIDENT_ID, "310104198506123017"), NOW).isEmpty(),
                "another subject's query finds nothing");
    }

    @Test
    void sameIdWithSameContentIsDuplicateAndWithDifferentContentIsConflict() throws Exception {
        IncomingItem first = signed(rating("r-1", 712, NOW.plus(Duration.ofDays(90))), new byte[] {1});
        store.write(ALPHA, List.of(first), null, NOW);

        IncomingItem again = signed(rating("r-1", 712, NOW.plus(Duration.ofDays(90))), new byte[] {9});
        IncomingItem changed = signed(rating("r-1", 500, NOW.plus(Duration.ofDays(90))), new byte[] {1});
        IncomingItem fresh = signed(rating("r-2", 640, NOW.plus(Duration.ofDays(90))), new byte[] {1});
        IncomingItem freshTwice = signed(rating("r-2", 640, NOW.plus(Duration.ofDays(90))), new byte[] {1});
        assertEquals(List.of(WriteOutcome.DUPLICATE, WriteOutcome.CONFLICT, WriteOutcome.ACCEPTED, WriteOutcome.DUPLICATE),
                store.write(ALPHA, List.of(again, changed, fresh, freshTwice), null, NOW));

        List<StoredRating> ratings = store.ratings(SUBJECT, NOW);
        assertEquals(List.of(712.0, 640.0), ratings.stream().map(r -> r.rating().getValue()).toList(),
                "the conflicting resubmission changed nothing");
        assertEquals(2, store.count(ALPHA));
        assertEquals(List.of(WriteOutcome.ACCEPTED), store.write("beta-score", List.of(changed), null, NOW),
                "ids are per platform");
    }

    @Test
    void batchSignedItemsKeepTheBatchSignatureHashesAndTheirIndex() throws Exception {
        IncomingItem a = inBatch(rating("b-0", 700, NOW.plus(Duration.ofDays(30))), 0);
        IncomingItem b = inBatch(rating("b-1", 701, NOW.plus(Duration.ofDays(30))), 1);
        SubmissionStore.BatchSignature batch = new SubmissionStore.BatchSignature(new byte[] {7, 7},
                List.of(a.contentHash(), b.contentHash()));
        assertEquals(List.of(WriteOutcome.ACCEPTED, WriteOutcome.ACCEPTED), store.write(ALPHA, List.of(a, b), batch, NOW));

        StoredRating second = store.ratings(SUBJECT, NOW).stream().filter(r -> r.itemId().equals("b-1")).findFirst().orElseThrow();
        assertTrue(second.proof().isBatch());
        assertArrayEquals(new byte[] {7, 7}, second.proof().batchSignature());
        assertEquals(1, second.proof().batchIndex());
        assertEquals(2, second.proof().batchHashes().size());
        assertArrayEquals(b.contentHash(), second.proof().batchHashes().get(1));
    }

    @Test
    void liftedRecordIsNeverServedAgainAndALiftNeedsARecord() throws Exception {
        store.write(ALPHA, List.of(signed(record("rec-1", null), new byte[] {1}), signed(record("rec-2", null), new byte[] {1})),
                null, NOW);
        assertEquals(2, store.records(SUBJECT, NOW).size());

        assertEquals(List.of(WriteOutcome.ACCEPTED, WriteOutcome.NO_SUCH_RECORD),
                store.write(ALPHA, List.of(signed(lift("lift-1", "rec-1"), new byte[] {1}),
                        signed(lift("lift-2", "nothing-here"), new byte[] {1})), null, NOW));
        assertEquals(List.of("rec-2"), store.records(SUBJECT, NOW).stream().map(StoredRecord::itemId).toList());

        // a record lifted in the batch that brings it is never served either
        assertEquals(List.of(WriteOutcome.ACCEPTED, WriteOutcome.ACCEPTED),
                store.write(ALPHA, List.of(signed(record("rec-3", null), new byte[] {1}),
                        signed(lift("lift-3", "rec-3"), new byte[] {1})), null, NOW));
        assertEquals(List.of("rec-2"), store.records(SUBJECT, NOW).stream().map(StoredRecord::itemId).toList());
    }

    @Test
    void expiredRatingsAndRecordsAreNeverServedAndRetentionRemovesThem() throws Exception {
        store.write(ALPHA, List.of(
                signed(rating("old", 600, NOW.plus(Duration.ofDays(1))), new byte[] {1}),
                signed(rating("new", 650, NOW.plus(Duration.ofDays(30))), new byte[] {1}),
                signed(record("rec-old", NOW.plus(Duration.ofDays(1))), new byte[] {1}),
                signed(record("rec-new", NOW.plus(Duration.ofDays(30))), new byte[] {1})), null, NOW);
        Instant later = NOW.plus(Duration.ofDays(2));
        assertEquals(List.of("new"), store.ratings(SUBJECT, later).stream().map(StoredRating::itemId).toList());
        assertEquals(List.of("rec-new"), store.records(SUBJECT, later).stream().map(StoredRecord::itemId).toList());

    }

    @Test
    void theRetentionJobRemovesWhatEndedLongerAgoThanPolicyKeepsItAndSaysHowMany(@TempDir Path dir) throws Exception {
        Path policies = TestPolicies.copyTo(dir.resolve("policies"));
        Path categories = policies.resolve("categories.yaml");
        Files.writeString(categories, Files.readString(categories).replace("afterExpiry: P30D", "afterExpiry: P1D")
                .replace("afterLift: P30D", "afterLift: PT12H"));
        PolicySet policy = TestPolicies.load(policies);
        assertEquals(new Retention(Duration.ofDays(1), Duration.ofHours(12)), policy.retention());
        store.write(ALPHA, List.of(
                signed(rating("old", 600, NOW.plus(Duration.ofDays(1))), new byte[] {1}),
                signed(rating("new", 650, NOW.plus(Duration.ofDays(30))), new byte[] {1}),
                signed(record("rec-old", NOW.plus(Duration.ofDays(1))), new byte[] {1}),
                signed(record("rec-lifted", null), new byte[] {1}),
                signed(record("rec-kept", null), new byte[] {1}),
                signed(lift("lift-x", "rec-lifted", NOW.plus(Duration.ofDays(1))), new byte[] {1})), null, NOW);
        // another platform's lift under the same item id, of a record lifted later: not due
        store.write("beta-score", List.of(signed(record("rec-b", null), new byte[] {1}),
                signed(lift("lift-x", "rec-b", NOW.plus(Duration.ofDays(10))), new byte[] {1})), null, NOW);
        AtomicReference<Instant> now = new AtomicReference<>(NOW.plus(Duration.ofHours(30)));
        RetentionJob job = new RetentionJob(store, () -> policy, new TestClock(now));

        assertEquals(new SubmissionStore.Removed(0, 0, 0, 0), job.run(), "ended, but not longer ago than policy keeps them");
        assertEquals(6, store.count(ALPHA));

        now.set(NOW.plus(Duration.ofDays(3)));
        assertEquals(new SubmissionStore.Removed(1, 2, 1, 0), job.run());
        assertEquals(2, store.count(ALPHA), "the valid rating and the record in force stay");
        assertEquals(List.of("new"), store.ratings(SUBJECT, NOW).stream().map(StoredRating::itemId).toList());
        assertEquals(List.of("rec-kept"), store.records(SUBJECT, NOW).stream().map(StoredRecord::itemId).toList());
        assertEquals(2, store.count("beta-score"));
        assertEquals(new SubmissionStore.Removed(0, 0, 0, 0), job.run(), "a second run finds nothing");
    }

    @Test
    void retentionRemovesABatchSignatureOnceNoItemItCoveredIsKept(@TempDir Path dir) throws Exception {
        PolicySet policy = TestPolicies.load(TestPolicies.copyTo(dir.resolve("policies")));
        Duration keep = policy.retention().afterExpiry();
        IncomingItem shortLived = inBatch(rating("s-0", 700, NOW.plus(Duration.ofDays(1))), 0);
        IncomingItem shortLivedToo = inBatch(rating("s-1", 701, NOW.plus(Duration.ofDays(2))), 1);
        store.write(ALPHA, List.of(shortLived, shortLivedToo), new SubmissionStore.BatchSignature(new byte[] {1},
                List.of(shortLived.contentHash(), shortLivedToo.contentHash())), NOW);
        assertEquals(List.of(WriteOutcome.DUPLICATE, WriteOutcome.DUPLICATE), store.write(ALPHA, List.of(shortLived, shortLivedToo),
                new SubmissionStore.BatchSignature(new byte[] {3}, List.of(shortLived.contentHash(), shortLivedToo.contentHash())), NOW),
                "a resubmitted batch stores nothing, not even its signature");
        IncomingItem ending = inBatch(rating("m-0", 702, NOW.plus(Duration.ofDays(1))), 0);
        IncomingItem lasting = inBatch(rating("m-1", 703, NOW.plus(Duration.ofDays(300))), 1);
        store.write(ALPHA, List.of(ending, lasting), new SubmissionStore.BatchSignature(new byte[] {2},
                List.of(ending.contentHash(), lasting.contentHash())), NOW);
        AtomicReference<Instant> now = new AtomicReference<>(NOW.plus(Duration.ofDays(1)).plus(keep).plus(Duration.ofHours(1)));
        RetentionJob job = new RetentionJob(store, () -> policy, new TestClock(now));

        assertEquals(new SubmissionStore.Removed(2, 0, 0, 0), job.run(),
                "the first batch still covers s-1, the second m-1: both signatures stay");
        now.set(NOW.plus(Duration.ofDays(2)).plus(keep).plus(Duration.ofHours(1)));
        assertEquals(new SubmissionStore.Removed(1, 0, 0, 1), job.run(), "s-1 was the first batch's last item");

        StoredRating kept = store.ratings(SUBJECT, now.get()).get(0);
        assertEquals("m-1", kept.itemId());
        assertArrayEquals(new byte[] {2}, kept.proof().batchSignature(), "the kept item's proof is intact");
        assertEquals(2, kept.proof().batchHashes().size());
        assertEquals(new SubmissionStore.Removed(0, 0, 0, 0), job.run(), "a second run finds nothing");
    }

    /** A clock the test moves. */
    record TestClock(AtomicReference<Instant> now) implements java.time.InstantSource {
        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @Test
    void aFailedWriteStoresNothingOfItsBatch() throws Exception {
        IncomingItem good = signed(rating("ok", 700, NOW.plus(Duration.ofDays(30))), new byte[] {1});
        IncomingItem tooLong = signed(rating("x".repeat(200), 700, NOW.plus(Duration.ofDays(30))), new byte[] {1});
        assertThrows(StoreException.class, () -> store.write(ALPHA, List.of(good, tooLong), null, NOW));
        assertEquals(0, store.count(ALPHA));
        assertEquals(List.of(WriteOutcome.ACCEPTED), store.write(ALPHA, List.of(good), null, NOW),
                "the store keeps working after a failed write");
    }

    static SubmissionItem rating(String id, double value, Instant validUntil) {
        return SubmissionItem.newBuilder().setItemId(id).setRating(RatingSubmission.newBuilder()
                .setSubject(cxg.v1.SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(RESIDENT))
                .setValue(value).setScaleId(ALPHA).setTier("excellent")
                .setComputedAt(ts(NOW.minus(Duration.ofDays(1)))).setValidUntil(ts(validUntil))).build();
    }

    static SubmissionItem record(String id, Instant expires) {
        RecordSubmission.Builder r = RecordSubmission.newBuilder()
                .setSubject(cxg.v1.SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(RESIDENT))
                .setKind(RecordKind.RESTRICTION).setCategory("JUDICIAL").setCaseNumber("(2026) Jing 01 Zhi 123")
                .setDecisionDate(ts(NOW.minus(Duration.ofDays(10)))).setMeasure("air-travel-restriction")
                .setIssuingAgency("court");
        if (expires != null) {
            r.setExpiresAt(ts(expires));
        }
        return SubmissionItem.newBuilder().setItemId(id).setRecord(r).build();
    }

    static SubmissionItem lift(String id, String recordId) {
        return lift(id, recordId, NOW);
    }

    static SubmissionItem lift(String id, String recordId, Instant liftedAt) {
        return SubmissionItem.newBuilder().setItemId(id).setLift(LiftRecord.newBuilder().setRecordItemId(recordId)
                .setLiftedAt(ts(liftedAt)).setReason("debt repaid")).build();
    }

    static IncomingItem signed(SubmissionItem item, byte[] signature) throws Exception {
        byte[] payload = item.toByteArray();
        return new IncomingItem(item, payload, MessageDigest.getInstance("SHA-256").digest(payload), signature, -1);
    }

    static IncomingItem inBatch(SubmissionItem item, int index) throws Exception {
        byte[] payload = item.toByteArray();
        return new IncomingItem(item, payload, MessageDigest.getInstance("SHA-256").digest(payload), null, index);
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
