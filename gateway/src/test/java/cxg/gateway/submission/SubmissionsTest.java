package cxg.gateway.submission;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.store.StoredRating;
import cxg.gateway.store.StoredRecord;
import cxg.gateway.store.SubmissionStore;
import cxg.gateway.subject.SubjectId;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.AckStatus;
import cxg.v1.Factor;
import cxg.v1.FactorDirection;
import cxg.v1.LiftRecord;
import cxg.v1.RatingSubmission;
import cxg.v1.RecordKind;
import cxg.v1.RecordSubmission;
import cxg.v1.SignedBatch;
import cxg.v1.SignedItem;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmitRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The submission pipeline in-process: real policies, real Ed25519 signatures, a real H2 store in a temp dir. */
class SubmissionsTest {

    static final Instant NOW = Instant.parse("2026-11-20T00:00:00Z");
    static final String GOOD_SUBJECT = "11010519491231002X";
    static final String BAD_CHECK = "110105194912310021";

    @TempDir
    Path tmp;

    PolicySet policy;
    SubmissionStore store;
    Submissions submissions;
    Member alpha;
    Ed25519PrivateKeyParameters alphaKey;

    @BeforeEach
    void setUp() throws Exception {
        policy = TestPolicies.load(TestPolicies.copyTo(tmp.resolve("policies")));
        alpha = policy.member("alpha-credit").orElseThrow();
        alphaKey = newKey();
        Path pki = Files.createDirectories(tmp.resolve("pki"));
        Files.writeString(SigningKeys.publicKeyFile(pki, "alpha-credit"), pem(alphaKey));
        store = SubmissionStore.open(SubmissionStore.h2Url(tmp.resolve("data")), "sa", "", false);
        submissions = new Submissions(() -> policy, new SigningKeys(pki), store, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void acknowledgesEachItemOfABatchInOrderAndOneBadItemNeverRejectsItsNeighbours() {
        List<SubmissionItem> items = List.of(
                rating("good-1", 712, r -> r),
                rating("bad-check", 712, r -> r.setSubject(subject(BAD_CHECK))),
                rating("off-scale", 990, r -> r),
                rating("prohibited", 700, r -> r.putAttributes("blood_type", "AB")),
                rating("bad-tier", 700, r -> r.setTier("A+")),
                rating("future", 700, r -> r.setComputedAt(ts(NOW.plusSeconds(3600)))),
                rating("backwards", 700, r -> r.setValidUntil(ts(NOW.minus(Duration.ofDays(30))))),
                rating("unknown-category", 700, r -> r.addFactors(factor("ASTROLOGY"))),
                rating("medical-factor", 700, r -> r.addFactors(factor("medical"))),
                rating("other-scale", 700, r -> r.setScaleId("beta-score")),
                rating("good-2", 640, r -> r.addFactors(factor("FINANCIAL"))));

        List<SubmissionAck> acks = submissions.submit(alpha, batch(alphaKey, items));

        assertEquals(items.stream().map(SubmissionItem::getItemId).toList(), acks.stream().map(SubmissionAck::getItemId).toList());
        assertEquals(List.of("ACCEPTED", "REJECTED rating.subject.value", "REJECTED rating.value",
                        "REJECTED rating.attributes.blood_type", "REJECTED rating.tier", "REJECTED rating.computed_at",
                        "REJECTED rating.valid_until", "REJECTED rating.factors[0].category",
                        "REJECTED rating.factors[0]", "REJECTED rating.scale_id", "ACCEPTED"),
                acks.stream().map(a -> a.getStatus() + (a.getField().isEmpty() ? "" : " " + a.getField())).toList());
        assertEquals("wrong check character", acks.get(1).getReason());
        assertTrue(acks.get(3).getReason().contains("BLOOD_TYPE"), acks.get(3).getReason());
        for (int i = 0; i < acks.size(); i++) {
            assertEquals(i, acks.get(i).getBatchIndex());
        }
        assertEquals(List.of("good-1", "good-2"), served().stream().map(StoredRating::itemId).toList());
    }

    @Test
    void aForgedSignatureRejectsExactlyWhatItCovers() throws Exception {
        Ed25519PrivateKeyParameters forger = newKey();
        List<SubmissionAck> forgedItem = submissions.submit(alpha, single(forger, rating("forged", 700, r -> r)));
        assertEquals(AckStatus.REJECTED, forgedItem.get(0).getStatus());
        assertEquals("signature", forgedItem.get(0).getField());

        List<SubmissionAck> forgedBatch = submissions.submit(alpha,
                batch(forger, List.of(rating("fb-1", 700, r -> r), rating("fb-2", 700, r -> r))));
        assertEquals(List.of(AckStatus.REJECTED, AckStatus.REJECTED), forgedBatch.stream().map(SubmissionAck::getStatus).toList());
        assertEquals("batch.signature", forgedBatch.get(1).getField());

        // a batch whose payload was changed after signing no longer verifies
        SubmitRequest tampered = batch(alphaKey, List.of(rating("t-1", 700, r -> r)));
        tampered = tampered.toBuilder().setBatch(tampered.getBatch().toBuilder()
                .setPayloads(0, rating("t-1", 940, r -> r).toByteString())).build();
        assertEquals("batch.signature", submissions.submit(alpha, tampered).get(0).getField());

        List<SubmissionAck> next = submissions.submit(alpha, single(alphaKey, rating("honest", 700, r -> r)));
        assertEquals(AckStatus.ACCEPTED, next.get(0).getStatus());
        assertEquals(List.of("honest"), served().stream().map(StoredRating::itemId).toList());
    }

    @Test
    void resubmittingTheSameContentIsADuplicateAndDifferentContentIsRejected() {
        assertEquals(AckStatus.ACCEPTED, submissions.submit(alpha, single(alphaKey, rating("r-1", 700, r -> r))).get(0).getStatus());
        assertEquals(AckStatus.DUPLICATE, submissions.submit(alpha, batch(alphaKey, List.of(rating("r-1", 700, r -> r)))).get(0).getStatus());
        SubmissionAck changed = submissions.submit(alpha, single(alphaKey, rating("r-1", 701, r -> r))).get(0);
        assertEquals(AckStatus.REJECTED, changed.getStatus());
        assertEquals("item_id", changed.getField());
        assertEquals(700, served().get(0).rating().getValue());
    }

    @Test
    void storedItemsKeepAProofOfOriginThatVerifiesOnItsOwn() {
        SubmissionItem item = rating("proof-1", 700, r -> r);
        SubmissionItem other = rating("proof-2", 650, r -> r);
        submissions.submit(alpha, batch(alphaKey, List.of(item, other)));
        StoredRating stored = served().stream().filter(r -> r.itemId().equals("proof-2")).findFirst().orElseThrow();
        assertTrue(stored.proof().isBatch());
        assertEquals(1, stored.proof().batchIndex());
        assertArrayEquals(Signatures.sha256(other.toByteArray()), stored.proof().batchHashes().get(1),
                "the stored hash at the item's index is the hash of its payload");
        assertTrue(Signatures.verify(new SigningKeys(tmp.resolve("pki")).keyOf(alpha).orElseThrow(),
                stored.proof().batchHashBytes(), stored.proof().batchSignature()));
    }

    @Test
    void aKeyRegisteredInPolicyIsUsedBeforeTheDevPkiFile() throws Exception {
        Ed25519PrivateKeyParameters registered = newKey();
        Member withKey = Member.of(alpha.id(), alpha.kind(), alpha.certificateSubject(), alpha.scorerEndpoint().orElse(null),
                alpha.scaleId().orElse(null), Base64.getEncoder().encodeToString(SubjectPublicKeyInfoFactory
                        .createSubjectPublicKeyInfo(registered.generatePublicKey()).getEncoded()));
        assertEquals(AckStatus.ACCEPTED, submissions.submit(withKey, single(registered, rating("k-1", 700, r -> r))).get(0).getStatus());
        assertEquals("signature", submissions.submit(withKey, single(alphaKey, rating("k-2", 700, r -> r))).get(0).getField());
    }

    @Test
    void onlyPlatformsMaySubmit() {
        Outcome<Member> court = Submissions.admit(policy.member("court").orElseThrow());
        assertFalse(court.isOk());
        assertEquals(Failure.Reason.PERMISSION_DENIED, court.failure().reason());
        assertFalse(Submissions.admit(policy.member("auditor").orElseThrow()).isOk());
        assertTrue(Submissions.admit(alpha).isOk());
    }

    @Test
    void recordsAreValidatedAndALiftedRecordIsNeverServedAgain() {
        List<SubmissionAck> acks = submissions.submit(alpha, batch(alphaKey, List.of(
                record("rec-1", "JUDICIAL"),
                record("rec-medical", "medical"),
                record("rec-unknown", "GOSSIP"))));
        assertEquals(List.of("ACCEPTED", "REJECTED record.category", "REJECTED record.category"),
                acks.stream().map(a -> a.getStatus() + (a.getField().isEmpty() ? "" : " " + a.getField())).toList());
        assertTrue(acks.get(1).getReason().contains("MEDICAL"), acks.get(1).getReason());
        SubjectId subject = SubjectId.of(SubjectId.Kind.RESIDENT_ID, GOOD_SUBJECT);
        assertEquals(List.of("rec-1"), store.records(subject, NOW).stream().map(StoredRecord::itemId).toList());

        SubmissionItem lift = SubmissionItem.newBuilder().setItemId("lift-1").setLift(LiftRecord.newBuilder()
                .setRecordItemId("rec-1").setLiftedAt(ts(NOW)).setReason("debt repaid")).build();
        assertEquals(AckStatus.ACCEPTED, submissions.submit(alpha, single(alphaKey, lift)).get(0).getStatus());
        assertTrue(store.records(subject, NOW).isEmpty());
    }

    @Test
    void anUnreadablePayloadIsRejectedAloneAndAnEmptyRequestIsNamed() {
        List<ByteString> payloads = new ArrayList<>(List.of(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01}),
                rating("after-garbage", 700, r -> r).toByteString()));
        List<SubmissionAck> acks = submissions.submit(alpha, signedBatch(alphaKey, payloads));
        assertEquals("payload", acks.get(0).getField());
        assertEquals(AckStatus.ACCEPTED, acks.get(1).getStatus());
        assertEquals("kind", submissions.submit(alpha, SubmitRequest.getDefaultInstance()).get(0).getField());
    }

    private List<StoredRating> served() {
        return store.ratings(SubjectId.of(SubjectId.Kind.RESIDENT_ID, GOOD_SUBJECT), NOW);
    }

    static SubmissionItem rating(String id, double value, UnaryOperator<RatingSubmission.Builder> change) {
        RatingSubmission.Builder r = RatingSubmission.newBuilder().setSubject(subject(GOOD_SUBJECT)).setValue(value)
                .setScaleId("alpha-credit").setTier("excellent")
                .setComputedAt(ts(NOW.minus(Duration.ofDays(1)))).setValidUntil(ts(NOW.plus(Duration.ofDays(90))));
        return SubmissionItem.newBuilder().setItemId(id).setRating(change.apply(r)).build();
    }

    static SubmissionItem record(String id, String category) {
        return SubmissionItem.newBuilder().setItemId(id).setRecord(RecordSubmission.newBuilder()
                .setSubject(subject(GOOD_SUBJECT)).setKind(RecordKind.RESTRICTION).setCategory(category)
                .setCaseNumber("(2026) Jing 01 Zhi 123").setDecisionDate(ts(NOW.minus(Duration.ofDays(10))))
                .setMeasure("air-travel-restriction").setIssuingAgency("court")
                .setExpiresAt(ts(NOW.plus(Duration.ofDays(365))))).build();
    }

    static Factor factor(String category) {
        return Factor.newBuilder().setCategory(category).setCode("on-time-repayment").setDirection(FactorDirection.POSITIVE).build();
    }

    static cxg.v1.SubjectId subject(String value) {
        return cxg.v1.SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(value).build();
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static Ed25519PrivateKeyParameters newKey() {
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        AsymmetricCipherKeyPair pair = g.generateKeyPair();
        return (Ed25519PrivateKeyParameters) pair.getPrivate();
    }

    static String pem(Ed25519PrivateKeyParameters key) throws Exception {
        byte[] der = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key.generatePublicKey()).getEncoded();
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }

    static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, key);
        s.update(message, 0, message.length);
        return s.generateSignature();
    }

    static SubmitRequest single(Ed25519PrivateKeyParameters key, SubmissionItem item) {
        byte[] payload = item.toByteArray();
        return SubmitRequest.newBuilder().setItem(SignedItem.newBuilder().setPayload(ByteString.copyFrom(payload))
                .setSignature(ByteString.copyFrom(sign(key, payload)))).build();
    }

    static SubmitRequest batch(Ed25519PrivateKeyParameters key, List<SubmissionItem> items) {
        return signedBatch(key, items.stream().map(SubmissionItem::toByteString).toList());
    }

    static SubmitRequest signedBatch(Ed25519PrivateKeyParameters key, List<ByteString> payloads) {
        List<byte[]> hashes = payloads.stream().map(p -> Signatures.sha256(p.toByteArray())).toList();
        return SubmitRequest.newBuilder().setBatch(SignedBatch.newBuilder().addAllPayloads(payloads)
                .setSignature(ByteString.copyFrom(sign(key, Signatures.concat(hashes))))).build();
    }
}
