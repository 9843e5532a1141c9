package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The bytes the log stores for an entry are the canonical JSON of its fields as a map ({@link CanonicalJson#write},
 * the time as {@link Instant#toString()}), UTF-8: the fast encoder must never change a byte of an entry, and so of
 * its leaf hash, the tiles and the checkpoints, whatever the fields hold.
 */
class AuditEntryEncodingProperties {

    private static final String[] PIECES = {"a", "Z", "7", "-", " ", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\u0000", "\u0001",
        "\u001f", "\u007f", "\u0080", "é", "ÿ", "Ā", "中", "\u2028", "\uffff", "\ud83d\ude00", "\ud83d", "\ude00", "/", "<", "{}", ":", ",",
        "court-enforcement", "FINANCIAL", "3101**********123X", "0123456789abcdef0123456789abcdef"};

    @Property(tries = 2000)
    void anEntryIsStoredAsTheCanonicalJsonOfItsFields(@ForAll("entries") Generated g) {
        AuditEntry e = g.entry();
        assertArrayEquals(reference(e), e.toBytes(), e.toString());
        assertEquals(g.requested() == null ? List.of() : g.requested().stream().sorted().distinct().toList(), e.categoriesRequested());
    }

    @Property(tries = 3000)
    void anEntrysTimeIsWrittenAsInstantToStringWouldWriteIt(@ForAll("instants") Instant time) {
        AuditEntry e = new AuditEntry(time, "court", null, "s", "m", null, null, null, null, null, null, null, null, null, "OK", null);
        String text = new String(e.toBytes(), StandardCharsets.UTF_8);
        assertEquals("\"time\":\"" + time + "\"", text.substring(text.indexOf("\"time\":"), text.indexOf(",\"v\":")));
        assertArrayEquals(reference(e), e.toBytes());
    }

    @Property(tries = 15)
    void recordedEntriesAreStoredAndHashedAsTheirReferenceBytes(@ForAll("batches") List<Generated> batch) throws Exception {
        Path dir = Files.createTempDirectory("cxg-audit-encoding");
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(dir), NoteSigner.generate("cxg.test/audit"),
                new AuditLog.Options("cxg.test/audit", 16, Duration.ZERO, 16))) {
            AuditRecorder recorder = new AuditRecorder(log, new SubjectHasher(new byte[32]), Clock.systemUTC());
            List<byte[]> expected = new ArrayList<>();
            List<java.util.concurrent.CompletableFuture<Long>> recorded = new ArrayList<>();
            for (Generated g : batch) {
                expected.add(reference(g.entry()));
                recorded.add(recorder.record(g.entry()).toCompletableFuture());
            }
            for (int i = 0; i < batch.size(); i++) {
                assertEquals(i, recorded.get(i).get());
                assertArrayEquals(expected.get(i), log.entry(i));
            }
            List<byte[]> leaves = new ArrayList<>();
            for (byte[] x : expected) {
                java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                sha.update((byte) 0);
                leaves.add(sha.digest(x));
            }
            assertArrayEquals(MerkleTest.mth(leaves), log.rootHash(batch.size()));
            assertArrayEquals(MerkleTest.mth(leaves), log.checkpoint().toCompletableFuture().get().rootHash());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static byte[] reference(AuditEntry e) {
        return CanonicalJson.write(AuditRecorderTest.fields(e)).getBytes(StandardCharsets.UTF_8);
    }

    record Generated(AuditEntry entry, List<String> requested) {
    }

    @Provide
    Arbitrary<Generated> entries() {
        return Arbitraries.randomValue(AuditEntryEncodingProperties::generate);
    }

    @Provide
    Arbitrary<List<Generated>> batches() {
        return entries().list().ofMinSize(1).ofMaxSize(300);
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.randomValue(AuditEntryEncodingProperties::instant);
    }

    /** Any instant Instant can hold, mostly around now and the years 0000-9999, at every fraction precision. */
    private static Instant instant(Random r) {
        long seconds = switch (r.nextInt(6)) {
            case 0 -> Instant.MIN.getEpochSecond() + (long) (r.nextDouble() * (Instant.MAX.getEpochSecond() - (double) Instant.MIN.getEpochSecond()));
            case 1 -> -62_167_219_200L + r.nextInt(200_000) - 100_000;
            case 2 -> 253_402_300_799L + r.nextInt(200_000) - 100_000;
            case 3 -> -62_167_219_200L + (long) (r.nextDouble() * 315_569_520_000L);
            default -> 1_700_000_000L + r.nextInt(400_000_000);
        };
        int nano = switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000) * 1_000_000;
            case 2 -> r.nextInt(1_000_000) * 1000;
            case 3 -> r.nextInt(10) * (int) Math.pow(10, r.nextInt(9));
            default -> r.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(seconds, nano);
    }

    private static String text(Random r) {
        StringBuilder sb = new StringBuilder();
        // now and then long enough to outgrow the encoder's buffer
        for (int k = r.nextInt(r.nextInt(20) == 0 ? 300 : 6); k > 0; k--) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    private static String maybe(Random r) {
        return r.nextInt(4) == 0 ? null : text(r);
    }

    private static List<String> categories(Random r) {
        if (r.nextInt(6) == 0) {
            return null;
        }
        List<String> c = new ArrayList<>();
        for (int k = r.nextInt(5); k > 0; k--) {
            c.add(r.nextBoolean() ? List.of("FINANCIAL", "JUDICIAL", "TRANSPORT", "COMMERCIAL").get(r.nextInt(4)) : text(r));
        }
        return c;
    }

    private static Generated generate(Random r) {
        List<AuditEntry.WithheldField> withheld = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) {
            withheld.add(new AuditEntry.WithheldField(maybe(r), maybe(r), maybe(r), maybe(r)));
        }
        List<String> requested = categories(r);
        List<String> hmacs = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) {
            hmacs.add(text(r));
        }
        AuditEntry e = new AuditEntry(instant(r), text(r), maybe(r), text(r), text(r), maybe(r),
                r.nextBoolean() ? null : new SubjectHasher.SubjectRef(text(r), text(r)),
                requested, categories(r), maybe(r), r.nextInt(3) == 0 ? null : r.nextBoolean(), maybe(r), withheld, maybe(r), text(r),
                r.nextBoolean() ? null : new AuditEntry.Batch(r.nextInt(), r.nextInt(), r.nextInt(3) == 0 ? Integer.MIN_VALUE : r.nextInt(), hmacs));
        return new Generated(e, requested);
    }
}
