package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.bench.ingest.GatewayProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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

    // What each phase's announcement says it takes, from the specs of its runs. The fresh clone of 2026-11-28 18:52 took
    // 71.7, 138.7, 46.5, 20.6, 136.7 and 64.0 s for them (the report's pauses between runs: a few per cent more).
    @Test
    void eachPhaseIsAnnouncedWithWhatItsRunsTake() {
        ReportRunner.Timing full = ReportRunner.FULL;
        List<String> paths = List.of(ReportRunner.DIRECT, ReportRunner.HOP, ReportRunner.GW1, ReportRunner.GW1_NO_FSYNC, ReportRunner.GW2);
        // 7 s at 64 outstanding per path (the 2-platform one twice as long), then 4 s at 1
        assertEquals(Duration.ofSeconds(62), full.warmup(paths));
        // 5 passes of 3 s over the hop and the gateways (6 s for the 2-platform one), then 5 rounds of 4 paths, 1 s + 2 s each
        assertEquals(Duration.ofSeconds(135), full.at64(paths.subList(1, 5), 4));
        assertEquals(Duration.ofSeconds(45), full.closed(full.rounds(), 5));
        // 5 s of unmeasured calls per path, then 7 rounds of 1 s + 3 s
        assertEquals(Duration.ofSeconds(132), full.halfLoad(4));
        assertEquals(Duration.ofSeconds(63), full.sweep(3, 3));
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
