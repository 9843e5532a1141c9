package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.bench.ingest.GatewayProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ReportRunnerTest {

    /** The repository root: Maven runs the module's tests in bench/. */
    private static final Path REPO = Path.of(System.getProperty("cxg.repo", "..")).toAbsolutePath().normalize();

    // A fresh JVM's first young collections first-touch the heap's pages: 2-10x longer without pre-touching
    // (bench/JOURNAL.md, "Pre-touching the heap"). Heaps in 4 KB pages made the kernel's page-cache copies 5-8x slower on
    // this VM ("Huge pages for the heaps"). The demo's gateway and the report's read this one file.
    @Test
    void theGatewayPreTouchesItsHeapInHugePages() throws IOException {
        assertTrue(GatewayProcess.jvmOptions(REPO).containsAll(List.of("-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages")),
                "gateway/jvm.options");
    }

    // The ceiling (hop, connectors, stand-in) is started like the gateway, or it would pay pauses the gateway does not.
    @Test
    void theReportsOtherServersPreTouchTheirHeapsInHugePagesByDefault() throws IOException {
        ReportRunner.Command report = new ReportRunner.Command();
        new CommandLine(report).parseArgs();
        List<String> options = ReportRunner.Command.javaOptions(report.serverJavaOpts, REPO);
        assertTrue(options.containsAll(List.of("-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages")), options.toString());
    }

    @Test
    void benchmarkPoliciesLiftTheQuotasToTheSchemaMaximum() {
        assertEquals(List.of("  - id: court-enforcement", "    quotaPerMinute: 1000000", "    disclosure: FULL"),
                ReportRunner.withoutQuotas(List.of("  - id: court-enforcement", "    quotaPerMinute: 600", "    disclosure: FULL")));
    }

    @Test
    void onePlatformVariantDropsOnlyBetaScoresMemberEntry() {
        List<String> members = List.of(
                "members:",
                "  - id: court",
                "    kind: agency",
                "  - id: alpha-credit",
                "    kind: platform",
                "    scale: alpha-credit",
                "  - id: beta-score",
                "    kind: platform",
                "    scorer: { endpoint: \"127.0.0.1:7502\" }",
                "    scale: beta-score",
                "  - id: auditor",
                "    kind: auditor");
        assertEquals(List.of(
                "members:",
                "  - id: court",
                "    kind: agency",
                "  - id: alpha-credit",
                "    kind: platform",
                "    scale: alpha-credit",
                "  - id: auditor",
                "    kind: auditor"), ReportRunner.withoutMember(members, "beta-score"));
    }
}
