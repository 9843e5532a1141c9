package cxg.gateway.policy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return PolicyCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static Path demo() {
        String home = System.getProperty("cxg.home");
        Path dir = home != null ? Path.of(home, "policies") : Path.of("..", "policies");
        return Files.isDirectory(dir) ? dir : Path.of("..", "policies");
    }

    private static Path copyDemo(Path target) throws IOException {
        for (String f : List.of("members.yaml", "categories.yaml", "purposes.yaml", "agreements.yaml", "scales.yaml")) {
            Files.copy(demo().resolve(f), target.resolve(f));
        }
        return target;
    }

    @Test
    void checkAcceptsTheDemoPolicies() {
        assertEquals(0, run("check", demo().toString()), err.toString());
        assertTrue(out.toString().contains("valid (5 members, 4 agreements)"), out.toString());
    }

    @Test
    void checkFailsAPolicyGrantingMedicalNamingFileAndLine(@TempDir Path dir) throws IOException {
        copyDemo(dir);
        Path agreements = dir.resolve("agreements.yaml");
        Files.writeString(agreements, Files.readString(agreements).replace("categories: [FINANCIAL, COMMERCIAL]",
                "categories: [FINANCIAL, MEDICAL]"));
        int line = Files.readAllLines(agreements).indexOf("    categories: [FINANCIAL, MEDICAL]") + 1;
        assertEquals(2, run("check", dir.toString()));
        assertEquals(agreements + ":" + line + ": agreement court-loan-eligibility grants prohibited category MEDICAL;"
                + " no agreement may grant it", err.toString().trim());
        assertEquals("", out.toString());
    }

    @Test
    void checkOfAMissingDirectoryIsInvalidInput(@TempDir Path dir) {
        assertEquals(2, run("check", dir.resolve("nowhere").toString()));
        assertTrue(err.toString().startsWith("cxg policy: DIR: not a directory"), err.toString());
    }

    @Test
    void explainsAnAllowAtScoreWithWhatIsWithheld() {
        assertEquals(0, run("explain", "--member", "court", "--purpose", "loan-eligibility", "--categories", "FINANCIAL",
                "--dir", demo().toString()), err.toString());
        String text = out.toString();
        assertTrue(text.contains("decision:   ALLOWED"), text);
        assertTrue(text.contains("rule:       agreements.yaml#court-loan-eligibility"), text);
        assertTrue(text.contains("disclosure: SCORE"), text);
        assertTrue(text.contains("factors: disclosure SCORE"), text);
        assertTrue(text.contains("factors in BIOMETRICS, BLOOD_TYPE, GENETICS, MEDICAL, RELIGION: prohibited category"), text);
        assertTrue(text.contains("factors in ADMINISTRATIVE, COMMERCIAL, JUDICIAL, SOCIAL_SECURITY, TAX, TRAFFIC, VOLUNTEERING:"
                + " category not granted"), text);
        assertTrue(text.contains("attributes revealing BIOMETRICS, BLOOD_TYPE, GENETICS, MEDICAL, RELIGION: prohibited category"), text);
    }

    @Test
    void explainsATierOnlyAllow() {
        assertEquals(0, run("explain", "--member", "railway", "--purpose", "travel-restriction-check", "--dir", demo().toString()));
        assertTrue(out.toString().contains("normalized_value: disclosure TIER_ONLY"), out.toString());
    }

    @Test
    void explainsADenialByPurposeWithExitThreeAndTheRule() {
        assertEquals(3, run("explain", "--member", "railway", "--purpose", "court-enforcement", "--categories", "JUDICIAL",
                "--dir", demo().toString()));
        assertTrue(out.toString().contains("decision:   DENIED (PURPOSE_NOT_GRANTED)"), out.toString());
        assertTrue(out.toString().contains("rule:       default-deny"), out.toString());
        assertFalse(out.toString().contains("withheld"));
    }

    @Test
    void explainsADenialByDisclosure() {
        assertEquals(3, run("explain", "--member", "court", "--purpose", "loan-eligibility", "--disclosure", "full",
                "--dir", demo().toString()));
        assertTrue(out.toString().contains("rule:       agreements.yaml#court-loan-eligibility"), out.toString());
        assertTrue(out.toString().contains("grants disclosure up to SCORE, not FULL"), out.toString());
    }

    @Test
    void rejectsBadInputNamingTheOption() {
        assertEquals(2, run("explain", "--member", "nobody", "--purpose", "loan-eligibility", "--dir", demo().toString()));
        assertEquals("cxg policy: --member: unknown member 'nobody' (not in members.yaml)", err.toString().trim());
        err.getBuffer().setLength(0);
        assertEquals(2, run("explain", "--member", "court", "--purpose", "loan-eligibility", "--categories", "FINANCIAL,STARS",
                "--dir", demo().toString()));
        assertEquals("cxg policy: --categories: unknown category 'STARS' (not in categories.yaml)", err.toString().trim());
        err.getBuffer().setLength(0);
        assertEquals(2, run("explain", "--member", "court"));
        assertTrue(err.toString().startsWith("cxg policy: Missing required option: '--purpose"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run());
        assertTrue(err.toString().contains("missing subcommand"), err.toString());
    }
}
