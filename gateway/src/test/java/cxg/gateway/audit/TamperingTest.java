package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.audit.verify.VerifyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tampering with a real directory store is caught by the independent verifier, naming what failed. */
class TamperingTest {

    private static final String ORIGIN = "cxg.test/audit";
    private static final NoteSigner KEY = NoteSigner.generate(ORIGIN);

    @TempDir
    Path tmp;
    Path dir;
    Path state;

    record Run(int exit, String out, String err) {
    }

    private Run verify(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("verify", "--key", KEY.verifierKey(), "--state", state.toString()));
        all.addAll(List.of(args));
        int exit = VerifyCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private Run verifyTiles() {
        return verify("--tiles", dir.toString());
    }

    private static byte[] entry(int i) {
        return ("{\"member\":\"court\",\"request\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static AuditLog open(Path dir) {
        return AuditLog.open(DirectoryLogStore.open(dir), KEY, new AuditLog.Options(ORIGIN, 1000, Duration.ZERO, 16));
    }

    @BeforeEach
    void writeLog() {
        dir = tmp.resolve("log");
        state = tmp.resolve("verifier-state");
        try (AuditLog log = open(dir)) {
            for (int i = 0; i < 300; i++) {
                log.append(entry(i));
            }
            log.checkpoint().toCompletableFuture().join();
        }
    }

    private List<byte[]> bundle(String path) throws Exception {
        return new ArrayList<>(Tiles.decodeBundle(Files.readAllBytes(dir.resolve(path))));
    }

    private void writeBundle(String path, List<byte[]> entries) throws Exception {
        Files.write(dir.resolve(path), Tiles.encodeBundle(entries));
    }

    @Test
    void anUntouchedLogVerifiesAndLaterCheckpointsMustBeConsistentWithIt() {
        Run first = verifyTiles();
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("tree size 300"), first.out());
        try (AuditLog log = open(dir)) {
            log.append(entry(300)).toCompletableFuture().join();
            log.checkpoint().toCompletableFuture().join();
        }
        Run second = verifyTiles();
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("consistent with the trusted checkpoint of size 300"), second.out());
    }

    @Test
    void detectsAnAlteredEntry() throws Exception {
        List<byte[]> b = bundle("tile/entries/000");
        b.set(5, "{\"member\":\"court\",\"request\":-1}".getBytes(StandardCharsets.UTF_8));
        writeBundle("tile/entries/000", b);
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 5:"), r.err());
    }

    @Test
    void detectsADeletedEntry() throws Exception {
        List<byte[]> b = bundle("tile/entries/000");
        b.remove(7);
        b.add(bundle("tile/entries/001.p/44").get(0));
        writeBundle("tile/entries/000", b);
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 7:"), r.err());
    }

    @Test
    void detectsTwoReorderedEntries() throws Exception {
        List<byte[]> b = bundle("tile/entries/000");
        Collections.swap(b, 3, 4);
        writeBundle("tile/entries/000", b);
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 3:"), r.err());
    }

    @Test
    void detectsATruncatedTail() throws Exception {
        assertEquals(0, verifyTiles().exit(), "the auditor has seen size 300");
        // The operator cuts the log back to 256 entries and signs a checkpoint for that with the real key.
        Files.delete(dir.resolve("tile/entries/001.p/44"));
        Files.delete(dir.resolve("tile/0/001.p/44"));
        List<byte[]> leaves = new ArrayList<>();
        for (byte[] e : bundle("tile/entries/000")) {
            leaves.add(Merkle.leafHash(e));
        }
        byte[] root = Merkle.rootHash(Merkle.ofLeafHashes(leaves), 256);
        Files.writeString(dir.resolve("checkpoint"), KEY.sign(new Checkpoint(ORIGIN, 256, root).text()));
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("consistency:") && r.err().contains("300"), r.err());
    }

    @Test
    void detectsATruncatedTailUnderTheSameCheckpoint() throws Exception {
        List<byte[]> b = bundle("tile/entries/001.p/44");
        writeBundle("tile/entries/001.p/44", b.subList(0, 40));
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 296:"), r.err());
    }

    @Test
    void detectsAReplacedSigningKey() throws Exception {
        String note = Files.readString(dir.resolve("checkpoint"));
        String body = note.substring(0, note.lastIndexOf("\n\n") + 1);
        Files.writeString(dir.resolve("checkpoint"), NoteSigner.generate(ORIGIN).sign(body));
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("checkpoint signature"), r.err());
    }

    @Test
    void anExportVerifiesAndAnAlteredExportedEntryIsNamed() throws Exception {
        String export;
        try (AuditLog log = open(dir)) {
            export = AuditExport.write(log, log.latestCheckpoint(), e -> new String(e, StandardCharsets.UTF_8).contains("\"request\":1"), List.of());
        }
        Path file = tmp.resolve("export.json");
        Files.writeString(file, export);
        Run ok = verify("--export", file.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("111 entries verified"), ok.out());

        String altered = Base64.getEncoder().encodeToString("{\"member\":\"court\",\"request\":1}".getBytes(StandardCharsets.UTF_8));
        String forged = Base64.getEncoder().encodeToString("{\"member\":\"railway\",\"request\":1}".getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, export.replace(altered, forged));
        Run bad = verify("--export", file.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("entry 1:"), bad.err());
    }

    @Test
    void anExportOfALaterTreeCarriesTheConsistencyProofFromTheTrustedSize() throws Exception {
        assertEquals(0, verifyTiles().exit());
        String export;
        try (AuditLog log = open(dir)) {
            for (int i = 300; i < 320; i++) {
                log.append(entry(i)).toCompletableFuture().join();
            }
            SignedCheckpoint cp = log.checkpoint().toCompletableFuture().join();
            export = AuditExport.write(log, cp, e -> true, List.of(300L));
        }
        Path file = tmp.resolve("export.json");
        Files.writeString(file, export.replaceAll("\"consistency\":\\[.*?\\}\\]", "\"consistency\":[]"));
        Run missing = verify("--export", file.toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("consistency: the export has no consistency proof between the trusted size 300"), missing.err());

        Files.writeString(file, export);
        Run ok = verify("--export", file.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("320 entries verified, consistent with the trusted checkpoint of size 300"), ok.out());
    }

    @Test
    void badInputIsAUsageError() throws Exception {
        Path file = tmp.resolve("export.json");
        Files.writeString(file, "{not json");
        Run r = verify("--export", file.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("invalid input:"), r.err());
        Run both = verify();
        assertEquals(2, both.exit());
    }
}
