package cxg.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiCliTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return PkiCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void initPrintsOneLinePerFileCreatedThenKept() {
        assertEquals(0, run("init", "--dir", dir.toString()));
        assertTrue(out.toString().contains("created " + dir.resolve("court.p12")), out.toString());
        assertEquals(4 + 3 * DevPki.DEMO_MEMBERS.size(), out.toString().lines().count());

        assertEquals(0, run("init", "--dir", dir.toString()));
        assertTrue(out.toString().lines().allMatch(l -> l.startsWith("kept ")), out.toString());
    }

    @Test
    void revokeReportsTheSerialAndUpdatesTheCrl() {
        run("init", "--dir", dir.toString());
        assertEquals(0, run("revoke", "court", "--dir", dir.toString()));
        assertTrue(out.toString().startsWith("revoked court (serial "), out.toString());
        assertTrue(DevPki.open(dir).crl().isRevoked(DevPki.open(dir).certificate("court")));
    }

    @Test
    void badInputExitsTwoWithOneLineNamingTheProblem() {
        run("init", "--dir", dir.toString());

        assertEquals(2, run("issue", "tax-bureau", "--kind", "bank", "--dir", dir.toString()));
        assertOneLine("kind");
        assertEquals(2, run("issue", "tax-bureau", "--dir", dir.toString()));
        assertOneLine("--kind");
        assertEquals(2, run("revoke", "nobody", "--dir", dir.toString()));
        assertOneLine("nobody");
        assertEquals(2, run("frobnicate"));
        assertOneLine("frobnicate");
    }

    private void assertOneLine(String mentions) {
        String e = err.toString();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains(mentions), e);
        assertFalse(e.contains("Exception"), e);
    }
}
