package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportRunnerTest {

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
