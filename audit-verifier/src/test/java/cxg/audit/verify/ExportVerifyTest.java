package cxg.audit.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an auditor relies on, through the command line as an auditor runs it: a sound export verifies, and a proof
 * with one hash changed, a proof for another tree size, an entry that is not in the tree, a checkpoint signed by
 * another key, and a malformed file each fail with one line naming the problem and a non-zero exit code, never a
 * stack trace. The exports are built here with the verifier's own hashing and a signing key of the test's.
 */
class ExportVerifyTest {

    private static final int SIZE = 7;

    @TempDir
    Path dir;

    private final TestLog log = new TestLog("test.example/audit", SIZE);
    private final TestLog.Signer key = TestLog.Signer.generate("test.example/audit");

    /** What one run of {@code verify} printed and returned. */
    private record Run(int exit, String out, String err) {
    }

    private Run verify(String exportJson) throws IOException {
        return verify(exportJson, key.verifierKey());
    }

    private Run verify(String exportJson, String verifierKey) throws IOException {
        Path export = dir.resolve("export.json");
        Files.writeString(export, exportJson, StandardCharsets.UTF_8);
        return verifyFile(export, verifierKey);
    }

    /** {@code cxg audit verify --export <file> --key <verifierKey> --state <dir>/state}, as an auditor runs it. */
    private Run verifyFile(Path export, String verifierKey) {
        String[] args = {"verify", "--export", export.toString(), "--key", verifierKey, "--state", dir.resolve("state").toString()};
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = VerifyCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Trusts the log at {@code size} as an earlier run would have (the state file holds that signed checkpoint). */
    private void trust(int size) throws IOException {
        Files.writeString(dir.resolve("state"), key.sign(log.checkpointBody(size)), StandardCharsets.UTF_8);
    }

    /** Exit code {@code exit}, and one line on stderr that starts with {@code start} and holds no stack trace. */
    private static void assertFails(Run run, int exit, String start) {
        assertEquals(exit, run.exit(), run.err());
        String line = run.err().strip();
        assertFalse(line.contains("\n"), "more than one line:\n" + run.err());
        assertTrue(line.startsWith(start), "expected '" + start + "...', got: " + line);
        assertFalse(line.contains("Exception") || line.contains("\tat "), line);
        assertEquals("", run.out(), "nothing on stdout for a failure");
    }

    @Test
    void verifiesEveryEntrysInclusionProofAndRemembersTheCheckpoint() throws IOException {
        Run run = verify(log.export(key, SIZE, List.of(0, 3, 6), List.of()));

        assertEquals(0, run.exit(), run.err());
        assertEquals("OK test.example/audit tree size 7: signature valid, 3 entries verified, no earlier checkpoint trusted\n", run.out());
        assertEquals(key.sign(log.checkpointBody(SIZE)), Files.readString(dir.resolve("state"), StandardCharsets.UTF_8));
    }

    @Test
    void verifiesTheConsistencyProofFromTheTrustedCheckpoint() throws IOException {
        trust(4);

        Run run = verify(log.export(key, SIZE, List.of(5), List.of(4)));

        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().endsWith("1 entries verified, consistent with the trusted checkpoint of size 4\n"), run.out());
    }

    @Test
    void failsAnInclusionProofWithOneHashChanged() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());
        String hash = log.inclusionProof(3, SIZE).get(1);

        Run run = verify(export.replace(hash, TestLog.flipped(hash)));

        assertFails(run, 1, "FAILED entry 3: its inclusion proof does not lead to the checkpoint's root");
    }

    @Test
    void failsAConsistencyProofWithOneHashChanged() throws IOException {
        trust(4);
        String export = log.export(key, SIZE, List.of(), List.of(4));
        String hash = log.consistencyProof(4, SIZE).get(0);

        Run run = verify(export.replace(hash, TestLog.flipped(hash)));

        assertFails(run, 1, "FAILED consistency: the proof from size 4 to size 7 does not verify");
        assertEquals(key.sign(log.checkpointBody(4)), Files.readString(dir.resolve("state"), StandardCharsets.UTF_8),
                "the trusted checkpoint stays the one that verified");
    }

    @Test
    void failsAnInclusionProofMadeForAnotherTreeSize() throws IOException {
        // entry 2's audit path in the first 6 entries, presented against the checkpoint of 7
        String export = log.export(key, SIZE, List.of(2), List.of());
        String path7 = TestLog.jsonStrings(log.inclusionProof(2, SIZE));
        String path6 = TestLog.jsonStrings(log.inclusionProof(2, 6));

        Run run = verify(export.replace(path7, path6));

        assertFails(run, 1, "FAILED entry 2: its inclusion proof does not lead to the checkpoint's root");
    }

    @Test
    void failsAConsistencyProofForAnotherTrustedSize() throws IOException {
        trust(4);

        Run run = verify(log.export(key, SIZE, List.of(), List.of(3)));

        assertFails(run, 1, "FAILED consistency: the export has no consistency proof between the trusted size 4 and its size 7");
    }

    @Test
    void failsACheckpointThatIsSmallerThanTheTrustedOneWithoutAProof() throws IOException {
        trust(SIZE);

        Run run = verify(log.export(key, 5, List.of(1), List.of()));

        assertFails(run, 1, "FAILED consistency: the export has no consistency proof between the trusted size 7 and its size 5");
    }

    @Test
    void failsAnEntryThatIsNotInTheTree() throws IOException {
        // another entry's bytes with entry 3's place and audit path
        String export = log.export(key, SIZE, List.of(3), List.of());
        String data = Base64.getEncoder().encodeToString(log.entry(3));
        String forged = Base64.getEncoder().encodeToString("{\"outcome\":\"OK\",\"requestId\":\"never-logged\"}".getBytes(StandardCharsets.UTF_8));

        Run run = verify(export.replace(data, forged));

        assertFails(run, 1, "FAILED entry 3: its inclusion proof does not lead to the checkpoint's root");
    }

    @Test
    void failsAnEntryIndexBeyondTheTreeSize() throws IOException {
        String export = log.export(key, SIZE, List.of(6), List.of());

        Run run = verify(export.replace("\"index\":6", "\"index\":7"));

        assertFails(run, 1, "FAILED entry 7: beyond the checkpoint's tree size 7");
    }

    @Test
    void failsACheckpointSignedByAnotherKey() throws IOException {
        TestLog.Signer other = TestLog.Signer.generate("test.example/audit");

        Run run = verify(log.export(other, SIZE, List.of(1), List.of()));

        assertFails(run, 1, "FAILED checkpoint signature: not signed by key " + key.name() + "+" + key.id());
    }

    @Test
    void failsACheckpointWhoseSignedTreeSizeWasEdited() throws IOException {
        String export = log.export(key, SIZE, List.of(1), List.of());

        Run run = verify(export.replace("test.example/audit\\n7\\n", "test.example/audit\\n8\\n"));

        assertFails(run, 1, "FAILED checkpoint signature: does not verify with key " + key.name() + "+" + key.id());
    }

    @Test
    void refusesEntryDataThatIsNotBase64() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());
        String data = Base64.getEncoder().encodeToString(log.entry(3));

        Run run = verify(export.replace(data, "not base64!"));

        assertFails(run, 2, "invalid input: export: entry 3: 'data' is not base64");
    }

    @Test
    void refusesAProofHashThatIsNotBase64() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());
        String hash = log.inclusionProof(3, SIZE).get(0);

        Run run = verify(export.replace(hash, "%%%"));

        assertFails(run, 2, "invalid input: export: entry 3: 'proof' hash 0 is not base64");
    }

    @Test
    void refusesAProofHashOfTheWrongLength() throws IOException {
        trust(4);
        String export = log.export(key, SIZE, List.of(), List.of(4));
        String hash = log.consistencyProof(4, SIZE).get(0);

        Run run = verify(export.replace(hash, hash.substring(4)));

        assertFails(run, 2, "invalid input: export: consistency proof 4 to 7: 'proof' hash 0 is not a 32-byte hash");
    }

    @Test
    void refusesATruncatedFile() throws IOException {
        String export = log.export(key, SIZE, List.of(0, 3), List.of());

        Run run = verify(export.substring(0, export.length() / 2));

        assertFails(run, 2, "invalid input: export: invalid JSON at character");
        assertTrue(run.err().contains("unexpected end") || run.err().contains("unterminated"), run.err());
    }

    @Test
    void refusesAnEntryWithoutItsIndex() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());

        Run run = verify(export.replace("\"index\":3,", ""));

        assertFails(run, 2, "invalid input: export: entries[0]: 'index' is missing or not an integer");
    }

    @Test
    void refusesAnEntryWithoutItsProof() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());

        Run run = verify(export.replace("\"proof\":", "\"path\":"));

        assertFails(run, 2, "invalid input: export: entry 3: 'proof' is missing or not an array");
    }

    @Test
    void refusesAnExportWithoutItsCheckpoint() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());

        Run run = verify(export.replace("\"checkpoint\":", "\"signedNote\":"));

        assertFails(run, 2, "invalid input: export: 'checkpoint' is missing or not a string");
    }

    @Test
    void refusesAnEntryIndexThatIsNotAnInteger() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());

        Run run = verify(export.replace("\"index\":3", "\"index\":\"3\""));

        assertFails(run, 2, "invalid input: export: entries[0]: 'index' is missing or not an integer");
    }

    @Test
    void refusesAnExportThatIsNotAFile() {
        Run run = verifyFile(dir.resolve("missing.json"), key.verifierKey());

        assertFails(run, 2, "invalid input: cannot read " + dir.resolve("missing.json"));
    }

    @Test
    void refusesAMalformedVerifierKey() throws IOException {
        String export = log.export(key, SIZE, List.of(3), List.of());
        String mangled = key.verifierKey().substring(0, key.verifierKey().length() - 8) + "!!!!!!!!";

        Run run = verify(export, mangled);

        assertFails(run, 2, "invalid input: key: not base64");
    }

    @Test
    void theTestLogsProofsAreTheReferenceOnes() {
        // the builder's proofs agree with the verifier's arithmetic for every index and size (else the tests above prove nothing)
        for (int n = 1; n <= SIZE; n++) {
            byte[] root = log.root(n);
            for (int i = 0; i < n; i++) {
                assertTrue(Rfc6962.verifyInclusion(i, n, Rfc6962.leaf(log.entry(i)), TestLog.decode(log.inclusionProof(i, n)), root), i + " in " + n);
            }
            for (int m = 1; m < n; m++) {
                assertTrue(Rfc6962.verifyConsistency(m, n, log.root(m), root, TestLog.decode(log.consistencyProof(m, n))), m + " to " + n);
            }
        }
    }
}
