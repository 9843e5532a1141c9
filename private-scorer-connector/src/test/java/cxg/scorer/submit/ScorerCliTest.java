package cxg.scorer.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.pki.DevPki;
import cxg.v1.SubmissionItem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's refusals (one line, exit code) and its reading of the JSON Lines format. */
class ScorerCliTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return ScorerCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true),
                Map.of("cxg.pki.dir", tmp.resolve("pki").toString(), "cxg.gateway.address", "127.0.0.1:1"));
    }

    @Test
    void missingOptionsAndFilesAreUsageErrorsInOneLine() {
        assertEquals(2, run("submit", "--file", "x.jsonl"));
        assertTrue(err.toString().contains("--as"), err.toString());
        assertEquals(1, err.toString().strip().lines().count());
        assertEquals(2, run("submit", "--as", "alpha-credit", "--file", tmp.resolve("none.jsonl").toString()));
        assertEquals(2, run("submit", "--as", "Alpha Credit", "--file", "x.jsonl"));
        assertEquals(2, run("submit", "--as", "alpha-credit", "--file", "x.jsonl", "--batch-size", "5000"));
    }

    @Test
    void aPlatformWithoutACertificateIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.jsonl"), "{}\n");
        assertEquals(3, run("submit", "--as", "alpha-credit", "--file", file.toString()));
        assertTrue(err.toString().contains("pki init"), err.toString());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsNamedInOneLineBeforeAnythingIsSigned() throws Exception {
        Path pki = tmp.resolve("pki");
        DevPki.init(pki, false);
        Files.copy(pki.resolve("beta-score.key"), pki.resolve("alpha-credit.key"), StandardCopyOption.REPLACE_EXISTING);
        Path file = Files.writeString(tmp.resolve("r.jsonl"), "{}\n");

        assertEquals(2, run("submit", "--as", "alpha-credit", "--file", file.toString()));

        assertEquals("cxg: --as: " + pki.resolve("alpha-credit.key") + " is not the private key of " + pki.resolve("alpha-credit.crt"),
                err.toString().strip());
        assertFalse(Files.exists(SigningKeyFiles.privateKeyFile(pki, "alpha-credit")), "no signing key generated");
    }

    @Test
    void readsProtoJsonItemsAndPreSignedLinesAndNamesBrokenOnes() {
        JsonLines rating = JsonLines.parse(1, "{\"itemId\":\"a-1\",\"rating\":{\"subject\":{\"kind\":\"RESIDENT_ID\","
                + "\"value\":\"11010519491231002X\"},\"value\":712,\"scaleId\":\"alpha-credit\",\"computedAt\":\"2026-11-01T00:00:00Z\"}}");
        assertEquals("a-1", rating.itemId());
        assertEquals(712, rating.item().getRating().getValue());
        assertEquals(1_793_491_200L, rating.item().getRating().getComputedAt().getSeconds());
        assertFalse(rating.preSigned());

        SubmissionItem item = SubmissionItem.newBuilder().setItemId("pre-1").build();
        String b64 = java.util.Base64.getEncoder().encodeToString(item.toByteArray());
        JsonLines pre = JsonLines.parse(2, "{\"payload\":\"" + b64 + "\",\"signature\":\"AAAA\"}");
        assertTrue(pre.preSigned());
        assertEquals("pre-1", pre.itemId());

        assertTrue(JsonLines.parse(3, "{\"itemId\":\"x\",\"rating\":{\"colour\":\"red\"}}").error().startsWith("not a submission item"));
        assertEquals("not valid JSON", JsonLines.parse(4, "{oops").error());
    }
}
