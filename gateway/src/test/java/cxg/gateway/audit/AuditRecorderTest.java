package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditRecorderTest {

    private static final String SUBJECT = "11010519491231002X";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T23:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private AuditEntry courtQuery(AuditRecorder recorder) {
        return recorder.entry("cxg.v1.QueryService", "QueryScore")
                .caller("court", "AGENCY")
                .purpose("court-enforcement")
                .subject(SUBJECT)
                .categoriesRequested(List.of("JUDICIAL", "FINANCIAL"))
                .decision(Decision.allow("agreements.yaml#court-enforcement", "granted", Disclosure.FULL, Set.of("FINANCIAL", "JUDICIAL")))
                .withheld("alpha-credit", "factors[2]", "MEDICAL", "prohibited category")
                .requestId("req-1")
                .outcome("OK");
    }

    private AuditLog log(LogStore store) {
        return AuditLog.open(store, NoteSigner.generate("cxg.test/audit"), new AuditLog.Options("cxg.test/audit", 100, Duration.ZERO, 16));
    }

    @Test
    void recordsTheAccessWithAKeyedHashAndMaskNeverTheIdentifier() throws Exception {
        SubjectHasher hasher = SubjectHasher.loadOrCreate(tmp.resolve("subject.secret"));
        try (AuditLog log = log(DirectoryLogStore.open(tmp.resolve("log")))) {
            AuditRecorder recorder = new AuditRecorder(log, hasher, CLOCK);
            long index = recorder.recordAndWait(courtQuery(recorder), Duration.ofSeconds(10));
            byte[] stored = log.entry(index);
            String text = new String(stored, StandardCharsets.UTF_8);
            assertFalse(text.contains(SUBJECT), text);
            assertTrue(text.contains("\"masked\":\"1101**********002X\""), text);
            assertTrue(text.contains("\"hmac\":\"" + hasher.hmac(SUBJECT) + "\""), text);
            AuditEntry back = AuditEntry.fromBytes(stored);
            assertEquals(courtQuery(recorder), back);
            assertEquals(List.of("FINANCIAL", "JUDICIAL"), back.categoriesServed());
            assertEquals("FULL", back.disclosure());
            assertEquals("MEDICAL", back.withheld().get(0).category());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("subject.secret"))));
    }

    @Test
    void serialisationIsDeterministicWithSortedKeysAndCategories() {
        SubjectHasher hasher = new SubjectHasher(new byte[32]);
        AuditRecorder recorder = new AuditRecorder(null, hasher, CLOCK);
        byte[] a = courtQuery(recorder).toBytes();
        byte[] b = courtQuery(recorder).toBytes();
        assertArrayEquals(a, b);
        String text = new String(a, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"categoriesRequested\":[\"FINANCIAL\",\"JUDICIAL\"],"), text);
        assertTrue(text.contains("\"decision\":\"ALLOW\",\"disclosure\":\"FULL\""), text);
    }

    @Test
    void aSubjectsHmacIsTheStandardHmacSha256OfItsNormalisedIdentifierWhateverWasHashedBefore() throws Exception {
        byte[] secret = new byte[32];
        secret[5] = 7;
        SubjectHasher hasher = new SubjectHasher(secret);
        Mac reference = Mac.getInstance("HmacSHA256");
        reference.init(new SecretKeySpec(secret, "HmacSHA256"));
        String expected = HexFormat.of().formatHex(reference.doFinal(SUBJECT.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, hasher.hmac(SUBJECT));
        hasher.hmac("91350100M000100Y43");
        assertEquals(expected, hasher.hmac(SUBJECT));
        String[] fromAnotherThread = new String[1];
        Thread t = new Thread(() -> fromAnotherThread[0] = hasher.hmac(SUBJECT));
        t.start();
        t.join();
        assertEquals(expected, fromAnotherThread[0]);
    }

    @Test
    void theSameSubjectHashesDifferentlyUnderAnotherGatewaySecret() {
        byte[] other = new byte[32];
        other[0] = 1;
        assertNotEquals(new SubjectHasher(new byte[32]).hmac(SUBJECT), new SubjectHasher(other).hmac(SUBJECT));
        assertEquals(new SubjectHasher(new byte[32]).hmac(SUBJECT), new SubjectHasher(new byte[32]).hmac(SUBJECT.toLowerCase()));
        assertFalse(new SubjectHasher(new byte[32]).toString().contains("0"), "secret hidden");
    }

    @Test
    void submissionBatchesCarryCountsAndEachItemsSubjectHash() {
        SubjectHasher hasher = new SubjectHasher(new byte[32]);
        AuditRecorder recorder = new AuditRecorder(null, hasher, CLOCK);
        AuditEntry e = recorder.entry("cxg.v1.SubmissionService", "SubmitRatings").caller("alpha-credit", "PLATFORM")
                .batch(2, 1, List.of(SUBJECT, "91350100M000100Y43", SUBJECT)).requestId("b-1").outcome("OK");
        String text = new String(e.toBytes(), StandardCharsets.UTF_8);
        assertFalse(text.contains(SUBJECT) || text.contains("91350100M000100Y43"), text);
        AuditEntry back = AuditEntry.fromBytes(e.toBytes());
        assertEquals(3, back.batch().items());
        assertEquals(List.of(hasher.hmac(SUBJECT), hasher.hmac("91350100M000100Y43"), hasher.hmac(SUBJECT)), back.batch().subjectHmacs());
    }

    @Test
    void failsClosedWhenTheEntryCannotBeMadeDurable() throws Exception {
        AuditLogTest.RefusingStore store = new AuditLogTest.RefusingStore(DirectoryLogStore.open(tmp.resolve("log")));
        try (AuditLog log = log(store)) {
            AuditRecorder recorder = new AuditRecorder(log, new SubjectHasher(new byte[32]), CLOCK);
            store.refusing = true;
            assertThrows(AuditUnavailableException.class, () -> recorder.recordAndWait(courtQuery(recorder), Duration.ofSeconds(10)));
            assertEquals(0, log.size());
        }
    }
}
