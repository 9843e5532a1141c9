package cxg.gateway.submission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.AuditUnavailableException;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.SubjectHasher;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.MemberKind;
import cxg.gateway.transport.Failure;
import cxg.v1.AckStatus;
import cxg.v1.RatingSubmission;
import cxg.v1.SignedBatch;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmitRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One audit entry per submission request: counts and hashed item subjects, recorded before the acks are returned. */
class AuditedSubmissionsTest {

    private static final String SUBJECT = "11010519491231002X";
    private static final Member ALPHA = Member.of("alpha-credit", MemberKind.PLATFORM, "CN=alpha-credit,OU=platform,O=cxg-demo", null, null);
    private static final Member COURT = Member.of("court", MemberKind.AGENCY, "CN=court,OU=agency,O=cxg-demo", null, null);

    @TempDir
    Path dir;
    private AuditLog log;
    private SubjectHasher hasher;
    private AuditedSubmissions audit;

    @BeforeEach
    void open() {
        log = AuditLog.open(DirectoryLogStore.open(dir), NoteSigner.generate("test/audit"), new AuditLog.Options("test/audit", 64, Duration.ZERO, 64));
        hasher = new SubjectHasher(new byte[32]);
        audit = new AuditedSubmissions(new AuditRecorder(log, hasher, Clock.systemUTC()));
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void batchIsRecordedWithCountsAndItemSubjectsHashed() {
        ByteString rating = SubmissionItem.newBuilder().setItemId("r1").setRating(RatingSubmission.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(SUBJECT))).build().toByteString();
        SubmitRequest request = SubmitRequest.newBuilder().setBatch(SignedBatch.newBuilder()
                .addPayloads(rating).addPayloads(ByteString.copyFromUtf8("not a protobuf item"))).build();
        List<SubmissionAck> acks = List.of(SubmissionAck.newBuilder().setStatus(AckStatus.ACCEPTED).build(),
                SubmissionAck.newBuilder().setStatus(AckStatus.REJECTED).build());

        assertEquals(acks, audit.record(ALPHA, request, acks));

        AuditEntry e = AuditEntry.fromBytes(log.entry(0));
        assertEquals("alpha-credit", e.member());
        assertEquals("cxg.v1.SubmissionService", e.service());
        assertEquals(new AuditEntry.Batch(2, 1, 1, List.of(hasher.hmac(SUBJECT))), e.batch());
        assertFalse(new String(log.entry(0), StandardCharsets.UTF_8).contains(SUBJECT));
    }

    @Test
    void fullBatchOfAThousandItemsIsRecordedInPartsWithEveryItemSubject() {
        SignedBatch.Builder batch = SignedBatch.newBuilder();
        List<SubmissionAck> acks = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            batch.addPayloads(SubmissionItem.newBuilder().setItemId("r" + i).setRating(RatingSubmission.newBuilder()
                    .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("subject-" + i))).build().toByteString());
            acks.add(SubmissionAck.newBuilder().setStatus(AckStatus.ACCEPTED).build());
        }

        assertEquals(acks, audit.record(ALPHA, SubmitRequest.newBuilder().setBatch(batch).build(), acks));

        List<String> recorded = new java.util.ArrayList<>();
        for (long i = 0; i < log.size(); i++) {
            AuditEntry e = AuditEntry.fromBytes(log.entry(i));
            recorded.addAll(e.batch().subjectHmacs());
            assertTrue(e.requestId().endsWith("/" + log.size()), e.requestId());
        }
        assertEquals(3, log.size());
        assertEquals(1000, AuditEntry.fromBytes(log.entry(0)).batch().accepted());
        assertEquals(java.util.stream.IntStream.range(0, 1000).mapToObj(i -> hasher.hmac("subject-" + i)).toList(), recorded);
    }

    @Test
    void refusedCallerIsRecordedWithTheRule() throws Exception {
        audit.recordRefusal(COURT, Failure.permissionDenied("platforms-only", "court is an agency")).toCompletableFuture().get(10, TimeUnit.SECONDS);

        AuditEntry e = AuditEntry.fromBytes(log.entry(0));
        assertEquals("court", e.member());
        assertEquals(Boolean.FALSE, e.allowed());
        assertEquals("platforms-only", e.rule());
        assertEquals("PERMISSION_DENIED", e.outcome());
    }

    @Test
    void submissionIsNotAcknowledgedWhenTheLogCannotRecordIt() {
        log.close();
        SubmitRequest request = SubmitRequest.newBuilder().setBatch(SignedBatch.getDefaultInstance()).build();

        assertThrows(AuditUnavailableException.class, () -> audit.record(ALPHA, request, List.of()));
    }
}
