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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
    void anEntrysBytesAreTheCanonicalJsonOfItsFieldsWhateverCharactersTheyHold() {
        Random random = new Random(20261126);
        String[] pieces = {"a", "Z", "7", " ", "\"", "\\", "\n", "\r", "\t", "\u0001", "\u001f", "\u007f", "é", "中", "\u2028",
            "\ud83d\ude00", "\ud83d", "\ude00", "/", "<", "{}", ":", ","};
        for (int i = 0; i < 500; i++) {
            java.util.function.Supplier<String> text = () -> {
                StringBuilder sb = new StringBuilder();
                for (int k = random.nextInt(6); k > 0; k--) {
                    sb.append(pieces[random.nextInt(pieces.length)]);
                }
                return sb.toString();
            };
            java.util.function.Supplier<String> maybe = () -> random.nextInt(4) == 0 ? null : text.get();
            List<AuditEntry.WithheldField> withheld = new java.util.ArrayList<>();
            for (int k = random.nextInt(3); k > 0; k--) {
                withheld.add(new AuditEntry.WithheldField(text.get(), text.get(), maybe.get(), text.get()));
            }
            AuditEntry e = new AuditEntry(CLOCK.instant().plusNanos(random.nextInt(1_000_000_000)), text.get(), maybe.get(),
                    text.get(), text.get(), maybe.get(),
                    random.nextBoolean() ? null : new SubjectHasher.SubjectRef(text.get(), text.get()),
                    random.nextBoolean() ? null : List.of(text.get(), text.get()), List.of(text.get()), maybe.get(),
                    random.nextInt(3) == 0 ? null : random.nextBoolean(), maybe.get(), withheld, maybe.get(), text.get(),
                    random.nextBoolean() ? null : new AuditEntry.Batch(random.nextInt(500), random.nextInt(400), -random.nextInt(3),
                            List.of(text.get(), text.get())));
            assertArrayEquals(CanonicalJson.write(fields(e)).getBytes(StandardCharsets.UTF_8), e.toBytes(), e.toString());
        }
    }

    /** The entry as the map of its members that the log's JSON stands for. */
    static Map<String, Object> fields(AuditEntry e) {
        Map<String, Object> m = new HashMap<>();
        m.put("v", AuditEntry.VERSION);
        m.put("time", e.time().toString());
        m.put("member", e.member());
        m.put("role", e.role());
        m.put("service", e.service());
        m.put("method", e.method());
        m.put("purpose", e.purpose());
        if (e.subject() != null) {
            m.put("subject", Map.of("hmac", e.subject().hmac(), "masked", e.subject().masked()));
        }
        m.put("categoriesRequested", e.categoriesRequested());
        m.put("categoriesServed", e.categoriesServed());
        m.put("disclosure", e.disclosure());
        m.put("decision", e.allowed() == null ? null : e.allowed() ? "ALLOW" : "DENY");
        m.put("rule", e.rule());
        List<Object> withheld = new java.util.ArrayList<>();
        for (AuditEntry.WithheldField f : e.withheld()) {
            Map<String, Object> x = new HashMap<>();
            x.put("platform", f.platform());
            x.put("field", f.field());
            x.put("category", f.category());
            x.put("reason", f.reason());
            withheld.add(x);
        }
        m.put("withheld", withheld);
        m.put("requestId", e.requestId());
        m.put("outcome", e.outcome());
        if (e.batch() != null) {
            m.put("batch", Map.of("items", e.batch().items(), "accepted", e.batch().accepted(), "rejected", e.batch().rejected(),
                    "subjects", e.batch().subjectHmacs()));
        }
        return m;
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
