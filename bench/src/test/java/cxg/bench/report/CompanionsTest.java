package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompanionsTest {

    @Test
    void clearsWhatAnEarlierReportLeftInACompanionsDirectoryAndNothingBesideIt(@TempDir Path report) throws Exception {
        Path tokens = Files.createDirectories(report.resolve("tokens/nested"));
        Files.writeString(report.resolve("tokens/jmh.json"), "{}");
        Files.writeString(tokens.resolve("old.md"), "old");
        Files.writeString(report.resolve("report.md"), "the report's own");

        Path dir = Companions.emptied(report.resolve("tokens"));

        assertEquals(report.resolve("tokens"), dir);
        assertFalse(Files.exists(dir), "the companion creates its directory afresh");
        assertTrue(Files.exists(report.resolve("report.md")));
    }

    @Test
    void leavesAMissingDirectoryMissing(@TempDir Path report) throws Exception {
        assertFalse(Files.exists(Companions.emptied(report.resolve("audit"))));
    }
}
